import { cosErrors } from '../errors/cos-errors';
import type { ObjectMeta, ObjectStore } from '../storage/object-store';

/** Which request carries the `Pic-Operations` header. */
export type PicTrigger = 'PutObject' | 'CompleteMultipartUpload' | 'ImageProcess';

/** What a {@link PicProcessor} checks before the body is read. */
export interface PicValidationRequest {
  trigger: PicTrigger;
  bucket: string;
  key: string;
  /** The raw `Pic-Operations` header (a JSON string). */
  picOperations: string;
}

/** What a {@link PicProcessor} processes: the stored original, and the store to write outputs to. */
export interface PicProcessingRequest extends PicValidationRequest {
  /** The original as stored (for `ImageProcess`, the object already in the bucket). */
  original: ObjectMeta;
  store: ObjectStore;
  /** The emulator's region, for `Location` values. */
  region: string;
  requestId: string;
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

/** What processing produced, rendered as `<UploadResult>` or inside `<CompleteMultipartUploadResult>`. */
export interface PicProcessingResult {
  /** `OriginalInfo/ImageInfo`, when `is_pic_info` asked for it. */
  originalImageInfo?: PicImageInfo;
  processResults: PicProcessedObject[];
  /** The original after processing, when a rule overwrote it (its `fileid` is the source key). */
  original?: ObjectMeta;
}

/**
 * The hook where CI image processing plugs in. The object handlers call `validate` before reading a body
 * that carries `Pic-Operations` (throw a `CosHttpError` to refuse it: nothing is stored) and `process` after
 * the original is stored (PutObject, CompleteMultipartUpload) or found (`POST /<key>?image_process`).
 */
export interface PicProcessor {
  validate(request: PicValidationRequest): void | Promise<void>;
  process(request: PicProcessingRequest): Promise<PicProcessingResult>;
}

/**
 * The processor of this version: uploads carrying `Pic-Operations` are stored as usual and answered with a
 * well-formed result that has no outputs; `?image_process` answers 501 `NotImplemented`.
 */
export const storeOnlyPicProcessor: PicProcessor = {
  validate: () => undefined,
  process: async (request) => {
    if (request.trigger === 'ImageProcess') {
      throw cosErrors.notImplemented(
        'Cloud data processing (?image_process) is not implemented by this emulator yet.',
      );
    }
    return { processResults: [] };
  },
};
