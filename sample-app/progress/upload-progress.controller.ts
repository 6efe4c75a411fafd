import { BadRequestException, Controller, Param, Sse, type MessageEvent } from '@nestjs/common';
import type { Observable } from 'rxjs';
import { UploadProgressHub } from './upload-progress.hub';

/** `GET /uploads/:id/progress`: the server-side progress of one upload, as Server-Sent Events. */
@Controller('uploads')
export class UploadProgressController {
  constructor(private readonly hub: UploadProgressHub) {}

  /** One `CiUploadProgress` per event (JSON); the stream ends after `done` or `failed`. */
  @Sse(':id/progress')
  progress(@Param('id') id: string): Observable<MessageEvent> {
    if (!UploadProgressHub.isUploadId(id)) {
      throw new BadRequestException('An upload id is 8 to 64 letters, digits or dashes');
    }
    return this.hub.watch(id);
  }
}
