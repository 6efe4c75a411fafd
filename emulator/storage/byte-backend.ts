import type { Readable } from 'node:stream';
import type {
  BucketConfig,
  BucketInfo,
  MultipartUploadInfo,
  ObjectMeta,
  PartInfo,
  StagedBody,
} from './object-store';

/** Stored bytes opened for reading: `stream()` once (or several ranges), `close()` when not reading. */
export interface OpenedBytes {
  stream(range?: { start: number; end: number }): Readable;
  close(): Promise<void>;
}

/** An object (one version of a key) as the index keeps it: its metadata and a handle on its bytes. */
export interface StoredObject<B> {
  meta: ObjectMeta;
  /** Absent for a delete marker. */
  bytes?: B;
}

/** A part as the index keeps it. */
export interface StoredPart<B> {
  info: PartInfo;
  bytes: B;
}

/** A multipart upload as the index keeps it. */
export interface StoredUpload<B> {
  info: MultipartUploadInfo;
  parts: Map<number, StoredPart<B>>;
}

/** A bucket as a backend loads it at start. */
export interface LoadedBucket<B> {
  info: BucketInfo;
  config: BucketConfig;
  objects: Array<StoredObject<B>>;
  uploads: Array<StoredUpload<B>>;
}

/**
 * Where the bytes live (and, for a persistent backend, the metadata the index needs back after a restart):
 * the index (`object-index.ts`) decides what exists; a backend only stages, keeps, reads and drops bytes, and
 * writes down what the index tells it. `B` is the backend's handle on stored bytes (chunks in memory, a file
 * name on disk). Every method but `stage` and `open*` is called one at a time, in order.
 */
export interface ByteBackend<B> {
  /** What a previous run left (nothing for memory); cleans up what a crash left half-written. */
  load(): Promise<Array<LoadedBucket<B>>>;

  createBucket(info: BucketInfo): Promise<void>;
  deleteBucket(bucket: string): Promise<void>;
  saveBucketConfig(bucket: string, config: BucketConfig): Promise<void>;

  /** Starts receiving a body for an object of `bucket`, or for a part of `uploadId`. */
  stage(bucket: string, uploadId?: string): StagedBody;
  /**
   * Stages the concatenation of stored bytes (parts being completed, or an object being appended to) and,
   * when given, a received body after them; `tail` is consumed.
   */
  stageJoined(bucket: string, sources: readonly B[], tail?: StagedBody): Promise<StagedBody>;
  /** Keeps a whole staged body as the bytes of an object of `key`. */
  keepObjectBytes(staged: StagedBody, bucket: string, key: string): Promise<B>;
  /** Keeps a whole staged body as the bytes of a part. */
  keepPartBytes(staged: StagedBody, bucket: string, uploadId: string, partNumber: number): Promise<B>;
  /** Opens stored bytes; `undefined` when they are gone (dropped since they were looked up). */
  open(bucket: string, bytes: B): Promise<OpenedBytes | undefined>;
  /** Opens several stored bytes at once (all or none) and streams them one after the other. */
  openJoined(bucket: string, sources: readonly B[]): Promise<Readable>;
  /** Drops stored bytes; a reader that opened them keeps reading. */
  dropBytes(bucket: string, bytes: B): Promise<void>;

  /** Writes down the versions stored under a key, newest first (none: the key is gone). */
  saveKey(bucket: string, key: string, versions: ReadonlyArray<StoredObject<B>>): Promise<void>;
  saveUpload(info: MultipartUploadInfo): Promise<void>;
  savePart(bucket: string, uploadId: string, part: StoredPart<B>): Promise<void>;
  /** Drops an upload and whatever of its parts is left. */
  dropUpload(bucket: string, uploadId: string): Promise<void>;

  /** Drops everything. */
  clear(): Promise<void>;
}
