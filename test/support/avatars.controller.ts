import { Controller, Post } from '@nestjs/common';
import { CiResult, CiUpload, imageMogr2, type CiUploadResult } from '../../lib';

/** The README Quick start's route: `POST /avatars`, one file, a 200-px WebP beside it. */
@Controller('avatars')
export class AvatarsController {
  @Post()
  @CiUpload('file', {
    rules: [{ fileid: '{name}-200.webp', rule: imageMogr2().thumbnail({ width: 200 }).format('webp') }],
  })
  upload(@CiResult() result: CiUploadResult) {
    return result;
  }
}
