import type { CiImageFormat } from '../../lib/core/media/image-format';
import { cosErrors } from '../errors/cos-errors';
import type { DownloadProcess } from './download/download-query';
import type { DownloadAnswer } from './download/run-download';

/** Which request carries the `Pic-Operations` header. */
export type PicTrigger = 'PutObject' | 'CompleteMultipartUpload' | 'ImageProcess';

/** What a {@link PicProcessor} checks before the source is read. */
export interface PicValidationRequest {
  trigger: PicTrigger;
  bucket: string;
  key: string;
  /** The raw `Pic-Operations` header (a JSON string). */
  picOperations: string;
  /**
   * Size of the source in bytes when known before it is read: the declared `Content-Length` of a PUT, the
   * parts' total at Complete, the stored object's size for `image_process`.
   */
  sourceSize?: number;
}

/**
 * The source object. For PutObject and CompleteMultipartUpload it is not stored yet (it will be, under these
 * attributes, once processing succeeded); for ImageProcess it is the object in the bucket.
 */
export interface PicSourceObject {
  bucket: string;
  key: string;
  size: number;
  /** Quoted, as COS answers it. */
  etag: string;
  contentType: string;
}

/** What a {@link PicProcessor} processes: the source's bytes, in memory. */
export interface PicProcessingRequest extends PicValidationRequest {
  source: Buffer;
  original: PicSourceObject;
  /** `x-cos-request-id` of the request, for logs. */
  requestId: string;
}

/** One output a rule produced, to be stored by the caller (nothing is stored while processing). */
export interface PicOutput {
  /** Target bucket: the rule's `bucket`, or the source's. */
  bucket: string;
  /** Object key resolved from the rule's `fileid` (no leading `/`). */
  key: string;
  /** The rule's `fileid` as written, answered as files-v2 `file_id`. Default: `key`. */
  fileid?: string;
  body: Buffer;
  /** Content type the object is stored with (`image/webp`, ...). */
  contentType: string;
  /** Lower case, as `ProcessResults/Object/Format` gives it (`jpeg`, `png`, `webp`, ...). */
  format: CiImageFormat;
  width: number;
  height: number;
  quality: number;
}

/** What {@link PicProcessor.process} returns: the source's info and the outputs to store, in rule order. */
export interface PicProcessingOutcome {
  /** `OriginalInfo/ImageInfo`, when `is_pic_info` asked for it. */
  originalImageInfo?: PicImageInfo;
  outputs: PicOutput[];
}

/** `ImageInfo` of an image (protocol.md 1.2). */
export interface PicImageInfo {
  format: string;
  width: number;
  height: number;
  quality: number;
  ave: string;
  orientation: number;
}

/** One `ProcessResults/Object`: an output a rule wrote. */
export interface PicProcessedObject {
  key: string;
  location: string;
  format: string;
  width: number;
  height: number;
  size: number;
  quality: number;
  /** Quoted, as stored. */
  etag: string;
}

/** What an answer renders, as `<UploadResult>` or inside `<CompleteMultipartUploadResult>`. */
export interface PicProcessingResult {
  /** `OriginalInfo/ImageInfo`, when `is_pic_info` asked for it. */
  originalImageInfo?: PicImageInfo;
  /** The stored outputs, measured. */
  processResults: PicProcessedObject[];
  /** The object at the source key after the request, when an output replaced the original (same bucket and key). */
  original?: { bucket: string; key: string; etag: string };
}

/**
 * The hook where CI image processing plugs in. The handlers call `validate` before reading the source (throw a
 * `CosHttpError` to refuse: nothing is read or stored), then `process` with the source in memory BEFORE the
 * original (PutObject, CompleteMultipartUpload) is committed. `process` stores nothing: the handler stores the
 * original and the outputs only when it resolves, so a failed request leaves nothing behind.
 */
export interface PicProcessor {
  validate(request: PicValidationRequest): void | Promise<void>;
  process(request: PicProcessingRequest): Promise<PicProcessingOutcome>;
  /**
   * Download-time processing of a stored object (`GET <key>?imageMogr2/...`, `?imageInfo`, a style URL). Without
   * it such a GET answers 501 `NotImplemented` (never the untouched original). Throw a `CosHttpError` to refuse.
   */
  download?(request: PicDownloadRequest): Promise<DownloadAnswer>;
  /** True when `name` is a defined style (for style-separator URLs such as `a.jpg!thumb`). */
  hasStyle?(name: string): boolean;
}

/** What {@link PicProcessor.download} processes. */
export interface PicDownloadRequest {
  bucket: string;
  key: string;
  /** The stored object's bytes. */
  source: Buffer;
  /** What the GET asks for. */
  process: DownloadProcess;
}

/**
 * A processor that processes nothing: uploads carrying `Pic-Operations` are stored as they are and answered
 * with a result without outputs; `?image_process` answers 501 `NotImplemented`. For tests of the storage path
 * that send bytes which are not images; the emulator's default is `createCiPicProcessor`.
 * @example await startCiEmulator({}, { picProcessor: storeOnlyPicProcessor });
 */
export const storeOnlyPicProcessor: PicProcessor = {
  validate: () => undefined,
  process: async (request) => {
    if (request.trigger === 'ImageProcess') {
      throw cosErrors.notImplemented('Cloud data processing (?image_process) is disabled in this emulator.');
    }
    return { outputs: [] };
  },
};
