import type { PicProcessingResult } from '../processing/pic-processor';
import type { MultipartUploadInfo, ObjectMeta, PartInfo } from '../storage/object-store';
import { keyEncoder, ownerTree } from './bucket.xml';
import { objectLocation, type LocationOrigin } from '../routing/location';
import { imageInfoTree, processResultsTree } from './object.xml';
import { buildXml } from '../xml/xml';

/** `<InitiateMultipartUploadResult>`. */
export function initiateMultipartUploadXml(upload: MultipartUploadInfo): string {
  return buildXml({
    InitiateMultipartUploadResult: { Bucket: upload.bucket, Key: upload.key, UploadId: upload.uploadId },
  });
}

/**
 * `<CompleteMultipartUploadResult>`: `Location`, `Bucket`, `Key`, `ETag`, and, when the request carried
 * `Pic-Operations`, `ImageInfo` and `ProcessResults` beside them (protocol.md 1.3).
 */
export function completeMultipartUploadXml(
  object: ObjectMeta,
  origin: LocationOrigin,
  processing?: PicProcessingResult,
): string {
  const stored = processing?.original ?? object;
  return buildXml({
    CompleteMultipartUploadResult: {
      Location: objectLocation(object.bucket, object.key, origin),
      Bucket: object.bucket,
      Key: object.key,
      ETag: stored.etag,
      ImageInfo: processing?.originalImageInfo ? imageInfoTree(processing.originalImageInfo) : undefined,
      ProcessResults: processing ? processResultsTree(processing.processResults) : undefined,
    },
  });
}

/** A page of `ListParts`. */
export interface ListPartsPage {
  upload: MultipartUploadInfo;
  parts: readonly PartInfo[];
  partNumberMarker: number;
  maxParts: number;
  isTruncated: boolean;
  nextPartNumberMarker: number;
  encodingType?: string;
}

/** `<ListPartsResult>`. */
export function listPartsXml(page: ListPartsPage, appId: string): string {
  const enc = keyEncoder(page.encodingType);
  return buildXml({
    ListPartsResult: {
      Bucket: page.upload.bucket,
      EncodingType: page.encodingType,
      Key: enc(page.upload.key),
      UploadId: page.upload.uploadId,
      Initiator: ownerTree(appId),
      Owner: ownerTree(appId),
      StorageClass: page.upload.headers['x-cos-storage-class'] ?? 'STANDARD',
      PartNumberMarker: page.partNumberMarker,
      NextPartNumberMarker: page.nextPartNumberMarker,
      MaxParts: page.maxParts,
      IsTruncated: page.isTruncated,
      Part: page.parts.map((p) => ({
        PartNumber: p.partNumber,
        LastModified: p.lastModified.toISOString(),
        ETag: p.etag,
        Size: p.size,
      })),
    },
  });
}

/** A page of `ListMultipartUploads`. */
export interface ListUploadsPage {
  bucket: string;
  prefix: string;
  delimiter?: string;
  keyMarker: string;
  uploadIdMarker: string;
  maxUploads: number;
  uploads: readonly MultipartUploadInfo[];
  commonPrefixes: readonly string[];
  isTruncated: boolean;
  nextKeyMarker?: string;
  nextUploadIdMarker?: string;
  encodingType?: string;
}

/** `<ListMultipartUploadsResult>`. */
export function listMultipartUploadsXml(page: ListUploadsPage, appId: string): string {
  const enc = keyEncoder(page.encodingType);
  return buildXml({
    ListMultipartUploadsResult: {
      Bucket: page.bucket,
      EncodingType: page.encodingType,
      KeyMarker: enc(page.keyMarker),
      UploadIdMarker: page.uploadIdMarker,
      NextKeyMarker:
        page.isTruncated && page.nextKeyMarker !== undefined ? enc(page.nextKeyMarker) : undefined,
      NextUploadIdMarker: page.isTruncated ? page.nextUploadIdMarker : undefined,
      MaxUploads: page.maxUploads,
      IsTruncated: page.isTruncated,
      Prefix: enc(page.prefix),
      Delimiter: page.delimiter === undefined ? undefined : enc(page.delimiter),
      Upload: page.uploads.map((u) => ({
        Key: enc(u.key),
        UploadId: u.uploadId,
        StorageClass: u.headers['x-cos-storage-class'] ?? 'STANDARD',
        Initiator: ownerTree(appId),
        Owner: ownerTree(appId),
        Initiated: u.initiated.toISOString(),
      })),
      CommonPrefixes: page.commonPrefixes.map((p) => ({ Prefix: enc(p) })),
    },
  });
}
