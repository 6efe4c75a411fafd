import type { PicImageInfo, PicProcessedObject, PicProcessingResult } from '../processing/pic-processor';
import type { ObjectMeta } from '../storage/object-store';
import { objectLocation, type LocationOrigin } from './location';
import { buildXml, type XmlTree } from './xml';

/** `ImageInfo` element content. */
export function imageInfoTree(info: PicImageInfo): XmlTree {
  return {
    Format: info.format,
    Width: info.width,
    Height: info.height,
    Quality: info.quality,
    Ave: info.ave,
    Orientation: info.orientation,
  };
}

/** `ProcessResults` element content: one `Object` per output. */
export function processResultsTree(results: readonly PicProcessedObject[]): XmlTree {
  return {
    Object: results.map((o) => ({
      Key: o.key,
      Location: o.location,
      Format: o.format,
      Width: o.width,
      Height: o.height,
      Size: o.size,
      Quality: o.quality,
      ETag: o.etag,
    })),
  };
}

/**
 * `<UploadResult>` of a PUT with `Pic-Operations` or of `?image_process` (protocol.md 1.2):
 * `OriginalInfo{Key, Location, ETag, ImageInfo?}` and `ProcessResults{Object*}`.
 */
export function uploadResultXml(
  original: ObjectMeta,
  origin: LocationOrigin,
  result: PicProcessingResult,
): string {
  const stored = result.original ?? original;
  return buildXml({
    UploadResult: {
      OriginalInfo: {
        Key: stored.key,
        Location: objectLocation(stored.bucket, stored.key, origin),
        ETag: stored.etag,
        ImageInfo: result.originalImageInfo ? imageInfoTree(result.originalImageInfo) : undefined,
      },
      ProcessResults: processResultsTree(result.processResults),
    },
  });
}
