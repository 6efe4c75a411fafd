import { CiValidationError } from '../../../lib/core/errors';
import type { CiImageFormat } from '../../../lib/core/media/image-format';
import { parseRule, type CiRule } from '../../../lib/core/rules';
import { executeRule } from '../execute-rule';
import { readImageHeader } from '../image-probe';
import { CiProcessingError } from '../processing.error';
import type { ProcessingLimits } from '../processing-limits';
import type { CiStyles } from '../rule-plan';
import type { DownloadProcess } from './download-query';
import { exifJson, imageAveJson, imageInfoJson } from './image-metadata';

/** What {@link runDownloadProcess} needs. */
export interface DownloadProcessInput {
  /** The stored object's bytes. */
  source: Buffer;
  /** What the GET asks for. */
  process: DownloadProcess;
  /** Styles for `style/<name>` and style-separator URLs. */
  styles: CiStyles;
  /** Processing limits. */
  limits?: Partial<ProcessingLimits>;
  /** Reads a `watermark/1` image. */
  loadWatermark?: (url: string) => Promise<Buffer | undefined>;
}

/** The answer to a download-time processing GET. */
export interface DownloadAnswer {
  body: Buffer;
  contentType: string;
}

/** The content type of each output format. */
export const IMAGE_CONTENT_TYPES: Readonly<Record<CiImageFormat, string>> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  bmp: 'image/bmp',
  heif: 'image/heif',
  avif: 'image/avif',
  tiff: 'image/tiff',
};

function json(document: unknown): DownloadAnswer {
  return { body: Buffer.from(JSON.stringify(document), 'utf8'), contentType: 'application/json' };
}

function ruleOf(process: DownloadProcess): CiRule {
  if (process.kind === 'style') return { steps: [{ kind: 'style', name: process.name }] };
  if (process.kind !== 'rule') throw new Error(`not a rule: ${process.kind}`);
  try {
    return parseRule(process.rule);
  } catch (error) {
    if (!(error instanceof CiValidationError)) throw error;
    throw new CiProcessingError('InvalidArgument', error.message, { cause: error });
  }
}

/**
 * Executes a download-time processing GET on a stored image, with the same engine as Pic-Operations: a rule
 * (pipes, styles, imageMogr2 / imageView2 / watermark / imageSlim ...) gives the processed image; `imageInfo`,
 * `imageAve` and `exif` give CI's JSON. What the engine cannot run throws `CiProcessingError` (CI's error
 * answer): the untouched original is never answered in its place.
 * @example await runDownloadProcess({ source, process: { kind: 'rule', rule: 'imageMogr2/thumbnail/100x' }, styles: {} })
 */
export async function runDownloadProcess(input: DownloadProcessInput): Promise<DownloadAnswer> {
  const { source, process } = input;
  switch (process.kind) {
    case 'imageInfo':
      return json(await imageInfoJson(source));
    case 'imageAve':
      return json(await imageAveJson(source));
    case 'exif':
      return json(await exifJson(source));
    default: {
      const rule = ruleOf(process);
      const header = await readImageHeader(source, 'the object');
      const out = await executeRule(source, rule, {
        styles: input.styles,
        limits: input.limits,
        loadWatermark: input.loadWatermark,
        header,
      });
      return { body: out.body, contentType: IMAGE_CONTENT_TYPES[out.format] ?? 'application/octet-stream' };
    }
  }
}
