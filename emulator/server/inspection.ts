import { checkBucketName } from '../storage/bucket-name';
import { checkStyle } from '../processing/ci-styles';
import { createConfiguredBuckets } from '../storage/configured-buckets';
import type { ObjectStore } from '../storage/object-store';
import type { EmulatorRequestRecord, RequestLog } from './request-log';

/** An object as the emulator stores it. */
export interface EmulatorObjectInfo {
  key: string;
  size: number;
  /** Quoted, as COS answers it. */
  etag: string;
  contentType: string;
  lastModified: Date;
}

/** An open multipart upload and its parts. */
export interface EmulatorUploadInfo {
  bucket: string;
  key: string;
  uploadId: string;
  initiated: Date;
  parts: Array<{ partNumber: number; size: number; etag: string }>;
}

/** What {@link EmulatorInspection} works on. */
export interface EmulatorInspectionDeps {
  store: ObjectStore;
  log: RequestLog;
  appId: string;
  /** Buckets `reset()` recreates, with their canned ACL. */
  configuredBuckets: readonly string[];
  configuredBucketAcl: 'private' | 'public-read';
  /** Styles `reset()` puts back. */
  configuredStyles: Readonly<Record<string, string>>;
  /** The live style table the processors read (mutated in place). */
  styleTable: Record<string, string>;
  /** Called by `reset()` after the store is reset (forget files-v2 slice sessions, faults, ...). */
  onReset: () => void;
}

/**
 * What a test reads and resets on a running emulator, apart from serving requests: objects, open multipart
 * uploads, the request log, styles, buckets.
 *
 * @example
 * emulator.inspection.listMultipartUploads(); // every open upload of every bucket
 */
export class EmulatorInspection {
  constructor(private readonly deps: EmulatorInspectionDeps) {}

  /** Served requests, oldest first. */
  get requests(): readonly EmulatorRequestRecord[] {
    return this.deps.log.records;
  }

  /** Objects of a bucket whose key starts with `prefix`, sorted by key. */
  listObjects(bucket: string, prefix?: string): EmulatorObjectInfo[] {
    return this.deps.store.listObjects(bucket, prefix).map((m) => ({
      key: m.key,
      size: m.size,
      etag: m.etag,
      contentType: m.contentType,
      lastModified: m.lastModified,
    }));
  }

  /** The bytes of an object, or `undefined` when there is none. */
  async getObject(bucket: string, key: string): Promise<Buffer | undefined> {
    const reader = await this.deps.store.openObject(bucket, key);
    if (!reader) return undefined;
    const chunks: Buffer[] = [];
    for await (const chunk of reader.stream()) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  /** Open multipart uploads of a bucket, or of every bucket when none is named, with their parts. */
  listMultipartUploads(bucket?: string): EmulatorUploadInfo[] {
    const { store } = this.deps;
    const buckets = bucket === undefined ? store.listBuckets().map((b) => b.name) : [bucket];
    return buckets.flatMap((name) =>
      store.listMultipartUploads(name).map((u) => ({
        bucket: name,
        key: u.key,
        uploadId: u.uploadId,
        initiated: u.initiated,
        parts: store
          .listParts(name, u.uploadId)
          .map((p) => ({ partNumber: p.partNumber, size: p.size, etag: p.etag })),
      })),
    );
  }

  /** Creates a bucket (`name-appid`); nothing happens when it exists. */
  async createBucket(name: string): Promise<void> {
    checkBucketName(name, this.deps.appId);
    await this.deps.store.createBucket(name);
  }

  /** Styles `style/<name>` rules may use (a copy). */
  get styles(): Record<string, string> {
    return { ...this.deps.styleTable };
  }

  /** Adds or replaces a style; throws a `TypeError` when the name or the rule is not valid. */
  setStyle(name: string, rule: string): void {
    checkStyle(name, rule);
    this.deps.styleTable[name] = rule;
  }

  /** Removes a style; false when there was none. */
  deleteStyle(name: string): boolean {
    if (!Object.prototype.hasOwnProperty.call(this.deps.styleTable, name)) return false;
    delete this.deps.styleTable[name];
    return true;
  }

  /**
   * Drops every object, upload and extra bucket, recreates the configured buckets, clears the request log and
   * puts the styles back to the configured ones (and runs `onReset`: faults, slice sessions).
   */
  async reset(): Promise<void> {
    const { store, styleTable } = this.deps;
    await store.reset(this.deps.configuredBuckets);
    await createConfiguredBuckets(store, this.deps.configuredBuckets, this.deps.configuredBucketAcl);
    this.deps.onReset();
    this.deps.log.clear();
    for (const name of Object.keys(styleTable)) delete styleTable[name];
    Object.assign(styleTable, this.deps.configuredStyles);
  }
}
