import type { Readable, Writable } from 'node:stream';

/** Headers stored with an object and answered on GET/HEAD (`Cache-Control`, `x-cos-meta-*`, ...). */
export type StoredHeaders = Record<string, string>;

/** Metadata of a stored object. */
export interface ObjectMeta {
  bucket: string;
  key: string;
  size: number;
  /** Quoted, as on the wire: `"<md5 hex>"`, or `"<md5 of part md5s>-<parts>"` after a multipart upload. */
  etag: string;
  contentType: string;
  lastModified: Date;
  headers: StoredHeaders;
  /** The version's id in a bucket whose versioning was ever enabled; absent for the `null` version. */
  versionId?: string;
  /** True for a delete marker (no bytes; `size` 0). */
  deleteMarker?: boolean;
  /** True for an object made by APPEND Object (`x-cos-object-type: appendable`); a PUT makes it normal again. */
  appendable?: boolean;
  /** CRC-64/XZ of the bytes, unsigned decimal (`x-cos-hash-crc64ecma`); absent for objects stored without it. */
  crc64?: string;
}

/** The version id COS answers for a version stored without one (before versioning, or while suspended). */
export const NULL_VERSION_ID = 'null';

/** What a delete did: the version it removed or the delete marker it added. */
export interface DeleteOutcome {
  /** The removed version's id, or the new delete marker's; absent for the `null` version. */
  versionId?: string;
  /** True when a delete marker was added, or the version removed was one. */
  deleteMarker: boolean;
}

/** What to store an object (or a completed upload) as. */
export interface ObjectAttributes {
  bucket: string;
  key: string;
  size: number;
  etag: string;
  contentType: string;
  headers: StoredHeaders;
  /** Set by {@link ObjectStore.appendObject} only. */
  appendable?: boolean;
  /** CRC-64/XZ of the bytes, unsigned decimal. */
  crc64?: string;
}

/** A stored object opened for reading. Call `stream()` once, or `close()` when not reading it. */
export interface ObjectReader {
  meta: ObjectMeta;
  /** The object's bytes, or an inclusive byte range of them. */
  stream(range?: { start: number; end: number }): Readable;
  close(): Promise<void>;
}

/**
 * A request body being received: bytes written to `sink` are staged apart (a temporary file, chunks in
 * memory) until committed as an object or a part; `discard()` drops them.
 */
export interface StagedBody {
  sink: Writable;
  /** Settles once what was written to `sink` is wholly staged (the sink closed). */
  whole: Promise<void>;
  discard(): Promise<void>;
}

/** An open multipart upload. */
export interface MultipartUploadInfo {
  bucket: string;
  key: string;
  uploadId: string;
  initiated: Date;
  /** Content type and headers the completed object gets (from Initiate). */
  contentType: string;
  headers: StoredHeaders;
}

/** One uploaded part. */
export interface PartInfo {
  partNumber: number;
  size: number;
  /** Quoted MD5 hex of the part. */
  etag: string;
  lastModified: Date;
  /** CRC-64/XZ of the part, unsigned decimal. */
  crc64?: string;
}

/** A bucket. */
export interface BucketInfo {
  name: string;
  createdAt: Date;
}

/** One rule of a bucket's CORS configuration (PUT Bucket cors). */
export interface CorsRule {
  id?: string;
  allowedOrigins: string[];
  allowedMethods: string[];
  allowedHeaders: string[];
  exposeHeaders: string[];
  maxAgeSeconds?: number;
}

/** What a bucket is configured with, beyond its objects: ACL, CORS rules, tags. */
export interface BucketConfig {
  /** Versioning (PUT Bucket versioning); absent: never enabled, every key has only its `null` version. */
  versioning?: 'Enabled' | 'Suspended';
  /** Canned ACL (`private`, `public-read`, `public-read-write`); absent: `private`. */
  acl?: string;
  /** CORS rules; absent: no CORS configuration (COS then answers no CORS headers). */
  cors?: CorsRule[];
  /**
   * The other configuration sub-resources (lifecycle, policy, referer, ...), each the document as stored, by name
   * (`inventory/<id>` for one inventory); see `handlers/bucket-config.handlers.ts`.
   */
  subresources?: Record<string, string>;
}

/** Thrown by {@link ObjectStore.appendObject}: the object is not appendable, or `position` is not its length. */
export class AppendRefusedError extends Error {
  override readonly name = 'AppendRefusedError';

  constructor(
    readonly reason: 'not-appendable' | 'position',
    /** The object's current length (the position the next append must give). */
    readonly length: number,
  ) {
    super(reason === 'position' ? `position must be ${length}` : 'the object is not appendable');
  }
}

/** Thrown by a store when a multipart upload vanished (aborted or completed) during an operation. */
export class NoSuchUploadError extends Error {
  override readonly name = 'NoSuchUploadError';
}

/**
 * Where the emulator keeps buckets, objects and multipart uploads. Metadata reads are synchronous (both
 * stores index metadata in memory); anything touching bytes is asynchronous. Listings are sorted by key in
 * UTF-8 byte order, as COS sorts them.
 */
export interface ObjectStore {
  /** Loads what is already stored (the disk store) and cleans up what a crash left half-written. */
  open(): Promise<void>;
  /** Waits for pending writes. */
  close(): Promise<void>;

  listBuckets(): BucketInfo[];
  hasBucket(bucket: string): boolean;
  /** Creates a bucket; nothing happens when it exists. */
  createBucket(bucket: string): Promise<void>;
  /** Deletes a bucket (the caller checked it holds no object and no upload); false when there was none. */
  deleteBucket(bucket: string): Promise<boolean>;
  /** A bucket's configuration (`{}` when none was set). */
  getBucketConfig(bucket: string): BucketConfig;
  /** Replaces a bucket's configuration. */
  setBucketConfig(bucket: string, config: BucketConfig): Promise<void>;

  /** Objects (current versions, no delete marker) of a bucket whose key starts with `prefix`, sorted by key. */
  listObjects(bucket: string, prefix?: string): ObjectMeta[];
  /** Every version and delete marker under `prefix`, by key, newest first within a key. */
  listVersions(bucket: string, prefix?: string): ObjectMeta[];
  /**
   * An object's current version (`undefined` when there is none or it is a delete marker), or the version
   * `versionId` names (`'null'` for the null version; a delete marker is returned as such).
   */
  headObject(bucket: string, key: string, versionId?: string): ObjectMeta | undefined;
  /** Opens the current version, or the version `versionId` names; never a delete marker. */
  openObject(bucket: string, key: string, versionId?: string): Promise<ObjectReader | undefined>;
  /**
   * Deletes as COS does under the bucket's versioning: without `versionId`, the null version is removed
   * (never enabled) or replaced by a delete marker (suspended), or a delete marker is added (enabled); with
   * one, that version is removed for good. `undefined` when nothing was there to remove.
   */
  deleteObject(bucket: string, key: string, versionId?: string): Promise<DeleteOutcome | undefined>;
  /** Replaces the stored headers of the current version (ACL, tags), keeping its bytes; `undefined` when none. */
  updateObjectHeaders(bucket: string, key: string, headers: StoredHeaders): Promise<ObjectMeta | undefined>;

  /** Starts receiving a body for an object of `bucket`, or for a part of `uploadId`. */
  stageBody(bucket: string, uploadId?: string): Promise<StagedBody>;
  /** Makes a fully received body the object `attributes.key`, replacing any previous one at once. */
  commitObject(staged: StagedBody, attributes: ObjectAttributes): Promise<ObjectMeta>;
  /**
   * Appends a fully received body to the appendable object `key` (creating it at `position` 0), atomically:
   * {@link AppendRefusedError} when the current object is normal or `position` is not its length. The first
   * append stores `attributes`' type and headers; `digest` gives the new ETag from the previous version.
   */
  appendObject(
    staged: StagedBody,
    attributes: ObjectAttributes,
    position: number,
    digest: (previous: ObjectMeta | undefined) => Pick<ObjectAttributes, 'etag' | 'crc64'>,
  ): Promise<ObjectMeta>;

  createMultipartUpload(
    bucket: string,
    key: string,
    attributes: { contentType: string; headers: StoredHeaders },
  ): Promise<MultipartUploadInfo>;
  getMultipartUpload(bucket: string, uploadId: string): MultipartUploadInfo | undefined;
  /** Open uploads of a bucket, sorted by key then initiation time. */
  listMultipartUploads(bucket: string): MultipartUploadInfo[];
  /** Stores a received part (replacing a previous one with that number); {@link NoSuchUploadError} if gone. */
  commitPart(
    staged: StagedBody,
    part: {
      bucket: string;
      uploadId: string;
      partNumber: number;
      size: number;
      etag: string;
      crc64?: string;
    },
  ): Promise<PartInfo>;
  /** Parts of an upload, sorted by number. */
  listParts(bucket: string, uploadId: string): PartInfo[];
  /**
   * The bytes of the chosen parts of an open upload, joined in order (what Complete would store), without
   * ending it: CI processing reads them before the object exists. {@link NoSuchUploadError} if gone.
   */
  openUploadParts(bucket: string, uploadId: string, partNumbers: readonly number[]): Promise<Readable>;
  /**
   * Joins the chosen parts into the object (its ETag and, when known, CRC-64 given) and ends the upload;
   * {@link NoSuchUploadError} if gone.
   */
  completeMultipartUpload(
    bucket: string,
    uploadId: string,
    partNumbers: readonly number[],
    etag: string,
    crc64?: string,
  ): Promise<ObjectMeta>;
  /** Ends an upload and drops its parts; false when there was none. */
  abortMultipartUpload(bucket: string, uploadId: string): Promise<boolean>;

  /** Drops every bucket, object and upload, then creates `buckets`. */
  reset(buckets: readonly string[]): Promise<void>;
}
