import { Body, Controller, Get, NotFoundException, Param, Post } from '@nestjs/common';
import {
  CiResult,
  CiResults,
  CiService,
  CiUpload,
  expandFileId,
  isCiResponseError,
  keyParts,
  type CiUploadResult,
} from '../../lib';
import { uploadProgress } from '../progress/upload-progress.hub';
import { CreateVariantDto } from './create-variant.dto';
import { IMAGE_RULES, IMAGE_VARIANTS, SAMPLE_STYLES } from './image-rules';

/** Uploads, galleries, variants on demand and pre-signed links: what a user of the module writes. */
@Controller()
export class ImagesController {
  constructor(private readonly ci: CiService) {}

  /** One image, three variants made by CI while it is stored; its progress goes to `X-Upload-Id`'s stream. */
  @Post('images')
  @CiUpload('file', { isPicInfo: true, rules: IMAGE_RULES, onProgress: uploadProgress.listener })
  upload(@CiResult() result: CiUploadResult): CiUploadResult {
    return result;
  }

  /** Up to ten images in one request. */
  @Post('galleries')
  @CiUpload('files', { maxCount: 10, isPicInfo: true, rules: IMAGE_RULES })
  gallery(@CiResults('files') results: CiUploadResult[]) {
    return { count: results.length, files: results };
  }

  /** A variant of a stored image, processed in the cloud with a server-side style. */
  @Post('images/variants')
  async variant(@Body() body: CreateVariantDto) {
    const fileid = `{name}-${body.style}.${body.style === 'square' ? 'webp' : body.style === 'rotate' ? 'png' : 'jpg'}`;
    const result = await this.ci.process(body.key, { rules: [{ fileid, rule: SAMPLE_STYLES[body.style] }] });
    const output = result.imageInfo.processResults[0]!;
    return { ...result, variant: { ...output, url: await this.ci.getUrl(output.key) } };
  }

  /** Pre-signed links to an original and each of its upload variants. */
  @Get('images/:key')
  async links(@Param('key') key: string) {
    try {
      await this.ci.head(key);
    } catch (err) {
      if (isCiResponseError(err) && err.statusCode === 404) throw new NotFoundException(`No image ${key}`);
      throw err;
    }
    const values = { ...keyParts(key), uuid: '', field: 'file', index: 0 };
    const dir = values.dir ? values.dir + '/' : '';
    const variants: Record<string, string> = {};
    for (const [name, v] of Object.entries(IMAGE_VARIANTS)) {
      variants[name] = await this.ci.getUrl(dir + expandFileId(v.fileid, values));
    }
    return { key, url: await this.ci.getUrl(key), variants };
  }
}
