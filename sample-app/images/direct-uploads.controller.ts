import { Body, Controller, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import { CiService, type CiDirectUploadRoute } from '../../lib';
import { IMAGE_RULES } from './image-rules';

/**
 * "Direct to storage": the page asks for a ticket, uploads the file straight to COS (the emulator here) with the
 * browser's own progress, then confirms; the variants are the same as `POST /images` makes.
 */
@Controller('direct')
export class DirectUploadsController {
  private readonly direct: CiDirectUploadRoute;

  constructor(ci: CiService) {
    this.direct = ci.directUploadRoute('direct', { isPicInfo: true, rules: IMAGE_RULES });
  }

  /** `{ contentType, size, originalName }` → the ticket. */
  @Post('ticket')
  ticket(@Body() body: unknown, @Req() req: Request) {
    return this.direct.ticket(body, req);
  }

  /** `{ token }` → the same `CiUploadResult` as `POST /images`. */
  @Post('confirm')
  confirm(@Body() body: unknown) {
    return this.direct.confirm(body);
  }
}
