import { encodeKeyPath } from '../../lib/protocol/cos-v5/encode';
import { type BucketInfo, NULL_VERSION_ID, type ObjectMeta } from '../storage/object-store';
import { buildXml } from '../xml/xml';

/** A page of a bucket listing. */
export interface ListBucketPage {
  bucket: string;
  prefix: string;
  delimiter?: string;
  marker: string;
  maxKeys: number;
  contents: readonly ObjectMeta[];
  commonPrefixes: readonly string[];
  isTruncated: boolean;
  nextMarker?: string;
  /** `url` when the client asked for `encoding-type=url`. */
  encodingType?: string;
}

/** The owner COS reports: the account behind the APPID. */
export function ownerTree(appId: string): { ID: string; DisplayName: string } {
  return { ID: `qcs::cam::uin/${appId}:uin/${appId}`, DisplayName: appId };
}

/** Encodes a key like a path (`/` kept) when `encoding-type=url` was asked for. */
export function keyEncoder(encodingType: string | undefined): (value: string) => string {
  return encodingType === 'url' ? (value) => encodeKeyPath(value).slice(1) : (value) => value;
}

/** `<ListBucketResult>` of GET Bucket (List Objects). */
export function listBucketResultXml(page: ListBucketPage, appId: string): string {
  const enc = keyEncoder(page.encodingType);
  return buildXml({
    ListBucketResult: {
      Name: page.bucket,
      EncodingType: page.encodingType,
      Prefix: enc(page.prefix),
      Marker: enc(page.marker),
      MaxKeys: page.maxKeys,
      Delimiter: page.delimiter === undefined ? undefined : enc(page.delimiter),
      IsTruncated: page.isTruncated,
      NextMarker: page.isTruncated && page.nextMarker !== undefined ? enc(page.nextMarker) : undefined,
      CommonPrefixes: page.commonPrefixes.map((p) => ({ Prefix: enc(p) })),
      Contents: page.contents.map((o) => ({
        Key: enc(o.key),
        LastModified: o.lastModified.toISOString(),
        ETag: o.etag,
        Size: o.size,
        Owner: ownerTree(appId),
        StorageClass: o.headers['x-cos-storage-class'] ?? 'STANDARD',
      })),
    },
  });
}

/** `<ListAllMyBucketsResult>` of GET Service. */
export function listAllMyBucketsXml(buckets: readonly BucketInfo[], region: string, appId: string): string {
  return buildXml({
    ListAllMyBucketsResult: {
      Owner: ownerTree(appId),
      Buckets: {
        Bucket: buckets.map((b) => ({
          Name: b.name,
          Location: region,
          CreationDate: b.createdAt.toISOString(),
          BucketType: 'cos',
        })),
      },
    },
  });
}

/** A page of a version listing (GET Bucket Object versions). */
export interface ListVersionsPage {
  bucket: string;
  prefix: string;
  delimiter?: string;
  keyMarker: string;
  versionIdMarker: string;
  maxKeys: number;
  /** Versions and delete markers, by key then newest first, each with whether it is its key's latest. */
  entries: ReadonlyArray<{ meta: ObjectMeta; isLatest: boolean }>;
  commonPrefixes: readonly string[];
  isTruncated: boolean;
  nextKeyMarker?: string;
  nextVersionIdMarker?: string;
  encodingType?: string;
}

/** `<ListVersionsResult>` of GET Bucket Object versions (`GET /?versions`); the SDK reads `Version` and `DeleteMarker`. */
export function listVersionsResultXml(page: ListVersionsPage, appId: string): string {
  const enc = keyEncoder(page.encodingType);
  const common = (meta: ObjectMeta, isLatest: boolean) => ({
    Key: enc(meta.key),
    VersionId: meta.versionId ?? NULL_VERSION_ID,
    IsLatest: isLatest,
    LastModified: meta.lastModified.toISOString(),
  });
  return buildXml({
    ListVersionsResult: {
      Name: page.bucket,
      EncodingType: page.encodingType,
      Prefix: enc(page.prefix),
      KeyMarker: enc(page.keyMarker),
      VersionIdMarker: page.versionIdMarker,
      MaxKeys: page.maxKeys,
      Delimiter: page.delimiter === undefined ? undefined : enc(page.delimiter),
      IsTruncated: page.isTruncated,
      NextKeyMarker:
        page.isTruncated && page.nextKeyMarker !== undefined ? enc(page.nextKeyMarker) : undefined,
      NextVersionIdMarker: page.isTruncated ? page.nextVersionIdMarker : undefined,
      CommonPrefixes: page.commonPrefixes.map((p) => ({ Prefix: enc(p) })),
      Version: page.entries
        .filter((e) => !e.meta.deleteMarker)
        .map(({ meta, isLatest }) => ({
          ...common(meta, isLatest),
          ETag: meta.etag,
          Size: meta.size,
          StorageClass: meta.headers['x-cos-storage-class'] ?? 'STANDARD',
          Owner: ownerTree(appId),
        })),
      DeleteMarker: page.entries
        .filter((e) => e.meta.deleteMarker)
        .map(({ meta, isLatest }) => ({ ...common(meta, isLatest), Owner: ownerTree(appId) })),
    },
  });
}
