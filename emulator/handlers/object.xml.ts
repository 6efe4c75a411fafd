import type { PicImageInfo, PicProcessedObject, PicProcessingResult } from '../processing/pic-processor';
import type { ObjectMeta, PartInfo } from '../storage/object-store';
import { objectLocation, type LocationOrigin } from '../routing/location';
import { buildXml, type XmlTree } from '../xml/xml';

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

/** `<CopyObjectResult>` of PUT Object - Copy: the new object's ETag and LastModified. */
export function copyObjectResultXml(meta: ObjectMeta): string {
  return buildXml({
    CopyObjectResult: { ETag: meta.etag, LastModified: meta.lastModified.toISOString() },
  });
}

/** `<CopyPartResult>` of Upload Part - Copy: the part's ETag and LastModified. */
export function copyPartResultXml(part: PartInfo): string {
  return buildXml({ CopyPartResult: { ETag: part.etag, LastModified: part.lastModified.toISOString() } });
}
