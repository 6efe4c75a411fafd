import {
  BadRequestException,
  Body,
  Controller,
  FileTypeValidator,
  MaxFileSizeValidator,
  Module,
  ParseFilePipe,
  Post,
  UploadedFile,
  UseGuards,
  type CanActivate,
} from '@nestjs/common';
import {
  CiResult,
  CiResults,
  CiService,
  CiUpload,
  imageMogr2,
  imageView2,
  type CiUploadResult,
  type CiUploadResults,
} from '../../lib';

/** Rules a user writes: a 200 px WebP thumbnail and a 96 px square PNG avatar. */
export const RULES = [
  { fileid: '{name}-200.webp', rule: imageMogr2().thumbnail({ width: 200 }).format('webp') },
  { fileid: '{name}-avatar.png', rule: imageView2({ mode: 1, width: 96, height: 96, format: 'png' }) },
];

/** The routes the e2e specs drive, one per `@CiUpload` form. */
@Controller()
export class UploadController {
  constructor(private readonly ci: CiService) {}

  @Post('avatars')
  @CiUpload('file', { isPicInfo: true, rules: RULES })
  avatar(@CiResult() result: CiUploadResult, @UploadedFile() file: Express.Multer.File & CiUploadResult) {
    return { result, uploadedFileKey: file.key };
  }

  @Post('plain')
  @CiUpload('file', { isPicInfo: false })
  plain(@CiResult() result: CiUploadResult) {
    return result;
  }

  @Post('gallery')
  @CiUpload('files', { maxCount: 3, rules: [RULES[0]!] })
  gallery(@CiResults('files') files: CiUploadResult[]) {
    return files;
  }

  @Post('profile')
  @CiUpload({
    fields: [
      { name: 'avatar', rules: [RULES[1]!] },
      { name: 'cover', maxCount: 2 },
    ],
  })
  profile(@CiResults() results: CiUploadResults) {
    return results;
  }

  @Post('small')
  @CiUpload('file', { limits: { fileSize: 1_500_000 }, rules: [RULES[0]!] })
  small(@CiResult() result: CiUploadResult) {
    return result;
  }

  @Post('captioned')
  @CiUpload('file')
  captioned(@CiResult() result: CiUploadResult, @Body() body: { caption?: string }) {
    return { key: result.key, caption: body.caption };
  }

  @Post('process')
  process(@Body() body: { key: string; overwrite?: boolean; fileid?: string }) {
    return this.ci.process(body.key, {
      isPicInfo: true,
      overwrite: body.overwrite,
      rules: [{ fileid: body.fileid ?? '{name}-rotated.png', rule: imageMogr2().rotate(90).format('png') }],
    });
  }
}

/** Refuses every request (a guard in front of an upload route). */
class DenyAll implements CanActivate {
  canActivate(): boolean {
    return false;
  }
}

/** Routes whose request fails after (or before) the upload: nothing may stay stored, unless asked. */
@Controller('after')
export class AfterUploadController {
  @Post('validated')
  @CiUpload('file', { rules: [RULES[0]!] })
  validated(
    @UploadedFile(
      new ParseFilePipe({
        validators: [
          new FileTypeValidator({ fileType: 'image/png' }),
          new MaxFileSizeValidator({ maxSize: 400_000 }),
        ],
      }),
    )
    file: CiUploadResult,
  ) {
    return { key: file.key, mimetype: file.mimetype, size: file.size };
  }

  @Post('throws')
  @CiUpload('files', { maxCount: 2, rules: [RULES[0]!] })
  throws(): never {
    throw new BadRequestException('the handler refused');
  }

  @Post('throws-one')
  @CiUpload('file', { rules: [RULES[0]!] })
  throwsOne(): never {
    throw new BadRequestException('the handler refused');
  }

  @Post('throws-keep')
  @CiUpload('file', { rules: [RULES[0]!], keepOnError: true })
  throwsKeep(@CiResult() result: CiUploadResult): never {
    throw new BadRequestException(`kept ${result.key}`);
  }

  @Post('guarded')
  @UseGuards(DenyAll)
  @CiUpload('file', { rules: [RULES[0]!] })
  guarded() {
    return 'never';
  }

  @Post('names')
  @CiUpload('files', { maxCount: 5 })
  names(@CiResults('files') files: CiUploadResult[]) {
    return files.map((f) => f.originalName);
  }
}

@Module({ controllers: [UploadController, AfterUploadController] })
export class UploadModule {}
