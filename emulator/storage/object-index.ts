import type { Readable } from 'node:stream';
import type { ByteBackend, StoredObject, StoredPart, StoredUpload } from './byte-backend';
import { compareKeys, compareUploads } from './key-order';
import {
  AppendRefusedError,
  type BucketConfig,
  type DeleteOutcome,
  NULL_VERSION_ID,
  type BucketInfo,
  type MultipartUploadInfo,
  NoSuchUploadError,
  type ObjectAttributes,
  type ObjectMeta,
  type ObjectReader,
  type ObjectStore,
  type PartInfo,
  type StagedBody,
  type StoredHeaders,
} from './object-store';
import { newUploadId, newVersionId } from './upload-id';

interface IndexedBucket<B> {
  info: BucketInfo;
  config: BucketConfig;
  /** Each key's versions, newest first: one (the null version) until versioning is enabled. */
  objects: Map<string, Array<StoredObject<B>>>;
  uploads: Map<string, StoredUpload<B>>;
}

/**
 * The one index of buckets, objects, multipart uploads and parts, over a {@link ByteBackend} that keeps the
 * bytes (memory or disk). Metadata reads are synchronous; changes run one at a time (a queue), while bodies
 * stream outside it. An overwritten or deleted object's bytes are dropped only after the index stopped pointing
 * to them, and a reader that opened them keeps reading.
 */
export class IndexedObjectStore<B> implements ObjectStore {
  private readonly buckets = new Map<string, IndexedBucket<B>>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly backend: ByteBackend<B>) {}

  async open(): Promise<void> {
    for (const loaded of await this.backend.load()) {
      this.buckets.set(loaded.info.name, {
        info: loaded.info,
        config: loaded.config,
        objects: groupByKey(loaded.objects),
        uploads: new Map(loaded.uploads.map((u) => [u.info.uploadId, u])),
      });
    }
  }

  async close(): Promise<void> {
    await this.queue;
  }

  listBuckets(): BucketInfo[] {
    return [...this.buckets.values()].map((b) => b.info).sort((a, b) => compareKeys(a.name, b.name));
  }

  hasBucket(bucket: string): boolean {
    return this.buckets.has(bucket);
  }

  createBucket(bucket: string): Promise<void> {
    return this.serial(async () => {
      if (this.buckets.has(bucket)) return;
      const info: BucketInfo = { name: bucket, createdAt: new Date() };
      await this.backend.createBucket(info);
      this.buckets.set(bucket, { info, config: {}, objects: new Map(), uploads: new Map() });
    });
  }

  deleteBucket(bucket: string): Promise<boolean> {
    return this.serial(async () => {
      if (!this.buckets.delete(bucket)) return false;
      await this.backend.deleteBucket(bucket);
      return true;
    });
  }

  getBucketConfig(bucket: string): BucketConfig {
    return this.buckets.get(bucket)?.config ?? {};
  }

  setBucketConfig(bucket: string, config: BucketConfig): Promise<void> {
    return this.serial(async () => {
      const owner = this.requireBucket(bucket);
      await this.backend.saveBucketConfig(bucket, config);
      owner.config = config;
    });
  }

  listObjects(bucket: string, prefix = ''): ObjectMeta[] {
    const objects = this.buckets.get(bucket)?.objects;
    if (!objects) return [];
    return [...objects.values()]
      .map((versions) => versions[0].meta)
      .filter((m) => !m.deleteMarker && m.key.startsWith(prefix))
      .sort((a, b) => compareKeys(a.key, b.key));
  }

  listVersions(bucket: string, prefix = ''): ObjectMeta[] {
    const objects = this.buckets.get(bucket)?.objects;
    if (!objects) return [];
    return [...objects.entries()]
      .filter(([key]) => key.startsWith(prefix))
      .sort(([a], [b]) => compareKeys(a, b))
      .flatMap(([, versions]) => versions.map((v) => v.meta));
  }

  headObject(bucket: string, key: string, versionId?: string): ObjectMeta | undefined {
    return this.findVersion(bucket, key, versionId)?.meta;
  }

  async openObject(bucket: string, key: string, versionId?: string): Promise<ObjectReader | undefined> {
    // An overwrite or a delete may drop the bytes between the lookup and the open: look again.
    for (let attempt = 0; attempt < 3; attempt++) {
      const object = this.findVersion(bucket, key, versionId);
      if (!object?.bytes) return undefined;
      const opened = await this.backend.open(bucket, object.bytes);
      if (opened) {
        return { meta: object.meta, stream: (range) => opened.stream(range), close: () => opened.close() };
      }
    }
    return undefined;
  }

  deleteObject(bucket: string, key: string, versionId?: string): Promise<DeleteOutcome | undefined> {
    return this.serial(async () => {
      const owner = this.buckets.get(bucket);
      if (!owner) return undefined;
      const versions = owner.objects.get(key) ?? [];
      if (versionId !== undefined) {
        const found = versions.find((v) => idOf(v.meta) === versionId);
        if (!found) return undefined;
        await this.saveVersions(
          owner,
          key,
          versions.filter((v) => v !== found),
        );
        if (found.bytes) await this.backend.dropBytes(bucket, found.bytes);
        return { versionId: found.meta.versionId, deleteMarker: !!found.meta.deleteMarker };
      }
      const status = owner.config.versioning;
      const nullVersion = status === 'Enabled' ? undefined : versions.find((v) => !v.meta.versionId);
      if (!status) {
        if (!nullVersion) return undefined;
        await this.saveVersions(owner, key, []);
        if (nullVersion.bytes) await this.backend.dropBytes(bucket, nullVersion.bytes);
        return { deleteMarker: false };
      }
      const marker: StoredObject<B> = {
        meta: {
          bucket,
          key,
          size: 0,
          etag: '',
          contentType: '',
          headers: {},
          lastModified: new Date(),
          deleteMarker: true,
          ...(status === 'Enabled' ? { versionId: newVersionId() } : {}),
        },
      };
      await this.saveVersions(owner, key, [marker, ...versions.filter((v) => v !== nullVersion)]);
      if (nullVersion?.bytes) await this.backend.dropBytes(bucket, nullVersion.bytes);
      return { versionId: marker.meta.versionId, deleteMarker: true };
    });
  }

  updateObjectHeaders(bucket: string, key: string, headers: StoredHeaders): Promise<ObjectMeta | undefined> {
    return this.serial(async () => {
      const owner = this.buckets.get(bucket);
      const versions = owner?.objects.get(key);
      if (!owner || !versions || versions[0].meta.deleteMarker) return undefined;
      const updated = { meta: { ...versions[0].meta, headers }, bytes: versions[0].bytes };
      await this.saveVersions(owner, key, [updated, ...versions.slice(1)]);
      return updated.meta;
    });
  }

  async stageBody(bucket: string, uploadId?: string): Promise<StagedBody> {
    if (uploadId !== undefined && !this.buckets.get(bucket)?.uploads.has(uploadId)) {
      throw new NoSuchUploadError(uploadId);
    }
    return this.backend.stage(bucket, uploadId);
  }

  async commitObject(staged: StagedBody, attributes: ObjectAttributes): Promise<ObjectMeta> {
    await staged.whole;
    return this.serial(() => this.placeObject(staged, attributes));
  }

  async appendObject(
    staged: StagedBody,
    attributes: ObjectAttributes,
    position: number,
    digest: (previous: ObjectMeta | undefined) => Pick<ObjectAttributes, 'etag' | 'crc64'>,
  ): Promise<ObjectMeta> {
    await staged.whole;
    return this.serial(async () => {
      const current = this.findVersion(attributes.bucket, attributes.key);
      const length = current?.meta.size ?? 0;
      const refusal =
        current && !current.meta.appendable ? 'not-appendable' : position !== length ? 'position' : undefined;
      if (refusal) {
        await staged.discard();
        throw new AppendRefusedError(refusal, length);
      }
      const joined = current?.bytes
        ? await this.backend.stageJoined(attributes.bucket, [current.bytes], staged)
        : staged;
      await joined.whole;
      const { contentType, headers } = current?.meta ?? attributes;
      return this.placeObject(joined, {
        ...attributes,
        contentType,
        headers,
        size: length + attributes.size,
        ...digest(current?.meta),
        appendable: true,
      });
    });
  }

  createMultipartUpload(
    bucket: string,
    key: string,
    attributes: { contentType: string; headers: StoredHeaders },
  ): Promise<MultipartUploadInfo> {
    return this.serial(async () => {
      const owner = this.requireBucket(bucket);
      const info: MultipartUploadInfo = {
        bucket,
        key,
        uploadId: newUploadId(),
        initiated: new Date(),
        ...attributes,
      };
      await this.backend.saveUpload(info);
      owner.uploads.set(info.uploadId, { info, parts: new Map() });
      return info;
    });
  }

  getMultipartUpload(bucket: string, uploadId: string): MultipartUploadInfo | undefined {
    return this.buckets.get(bucket)?.uploads.get(uploadId)?.info;
  }

  listMultipartUploads(bucket: string): MultipartUploadInfo[] {
    const uploads = this.buckets.get(bucket)?.uploads;
    return uploads ? [...uploads.values()].map((u) => u.info).sort(compareUploads) : [];
  }

  async commitPart(
    staged: StagedBody,
    part: {
      bucket: string;
      uploadId: string;
      partNumber: number;
      size: number;
      etag: string;
      crc64?: string;
    },
  ): Promise<PartInfo> {
    await staged.whole;
    return this.serial(async () => {
      const upload = this.buckets.get(part.bucket)?.uploads.get(part.uploadId);
      if (!upload) {
        await staged.discard();
        throw new NoSuchUploadError(part.uploadId);
      }
      const bytes = await this.backend.keepPartBytes(staged, part.bucket, part.uploadId, part.partNumber);
      const stored: StoredPart<B> = {
        info: {
          partNumber: part.partNumber,
          size: part.size,
          etag: part.etag,
          lastModified: new Date(),
          ...(part.crc64 === undefined ? {} : { crc64: part.crc64 }),
        },
        bytes,
      };
      await this.backend.savePart(part.bucket, part.uploadId, stored);
      const previous = upload.parts.get(part.partNumber);
      upload.parts.set(part.partNumber, stored);
      if (previous) await this.backend.dropBytes(part.bucket, previous.bytes);
      return stored.info;
    });
  }

  listParts(bucket: string, uploadId: string): PartInfo[] {
    const upload = this.buckets.get(bucket)?.uploads.get(uploadId);
    return upload
      ? [...upload.parts.values()].map((p) => p.info).sort((a, b) => a.partNumber - b.partNumber)
      : [];
  }

  openUploadParts(bucket: string, uploadId: string, partNumbers: readonly number[]): Promise<Readable> {
    // Opened inside the queue: a part replaced or an upload aborted afterwards does not cut the read.
    return this.serial(async () => {
      const upload = this.buckets.get(bucket)?.uploads.get(uploadId);
      if (!upload) throw new NoSuchUploadError(uploadId);
      return this.backend.openJoined(bucket, partsOf(upload, partNumbers));
    });
  }

  async completeMultipartUpload(
    bucket: string,
    uploadId: string,
    partNumbers: readonly number[],
    etag: string,
    crc64?: string,
  ): Promise<ObjectMeta> {
    // Claim the upload first: a concurrent abort or part upload now sees NoSuchUpload.
    const upload = await this.serial(async () => {
      const owner = this.requireBucket(bucket);
      const found = owner.uploads.get(uploadId);
      if (!found) throw new NoSuchUploadError(uploadId);
      owner.uploads.delete(uploadId);
      return found;
    });
    let staged: StagedBody;
    try {
      staged = await this.backend.stageJoined(bucket, partsOf(upload, partNumbers));
      await staged.whole;
    } catch (error) {
      this.buckets.get(bucket)?.uploads.set(uploadId, upload);
      throw error;
    }
    const { key, contentType, headers } = upload.info;
    const size = partNumbers.reduce((sum, n) => sum + (upload.parts.get(n)?.info.size ?? 0), 0);
    return this.serial(async () => {
      const meta = await this.placeObject(staged, {
        bucket,
        key,
        size,
        etag,
        contentType,
        headers,
        ...(crc64 === undefined ? {} : { crc64 }),
      });
      await this.backend.dropUpload(bucket, uploadId);
      return meta;
    });
  }

  abortMultipartUpload(bucket: string, uploadId: string): Promise<boolean> {
    return this.serial(async () => {
      if (!this.buckets.get(bucket)?.uploads.delete(uploadId)) return false;
      await this.backend.dropUpload(bucket, uploadId);
      return true;
    });
  }

  async reset(buckets: readonly string[]): Promise<void> {
    await this.serial(async () => {
      this.buckets.clear();
      await this.backend.clear();
    });
    for (const bucket of buckets) await this.createBucket(bucket);
  }

  /**
   * Keeps a whole staged body as the object `attributes.key`, inside the queue: a new version when the bucket's
   * versioning is enabled, else the null version, replacing the previous null version.
   */
  private async placeObject(staged: StagedBody, attributes: ObjectAttributes): Promise<ObjectMeta> {
    const owner = this.buckets.get(attributes.bucket);
    if (!owner) {
      await staged.discard();
      throw new Error(`bucket ${attributes.bucket} does not exist`);
    }
    const bytes = await this.backend.keepObjectBytes(staged, attributes.bucket, attributes.key);
    // Appendable objects "do not take part in versioning" (COS's APPEND Object page): always the null version.
    const versioned = owner.config.versioning === 'Enabled' && !attributes.appendable;
    const stored: StoredObject<B> = {
      meta: { ...attributes, lastModified: new Date(), ...(versioned ? { versionId: newVersionId() } : {}) },
      bytes,
    };
    const versions = owner.objects.get(attributes.key) ?? [];
    const replaced = versioned ? undefined : versions.find((v) => !v.meta.versionId);
    await this.saveVersions(owner, attributes.key, [stored, ...versions.filter((v) => v !== replaced)]);
    if (replaced?.bytes) await this.backend.dropBytes(attributes.bucket, replaced.bytes);
    return stored.meta;
  }

  /** Writes down a key's versions (none: the key is gone), then points the index at them. */
  private async saveVersions(
    owner: IndexedBucket<B>,
    key: string,
    versions: Array<StoredObject<B>>,
  ): Promise<void> {
    await this.backend.saveKey(owner.info.name, key, versions);
    if (versions.length) owner.objects.set(key, versions);
    else owner.objects.delete(key);
  }

  /** The current version (not a delete marker), or the version `versionId` names. */
  private findVersion(bucket: string, key: string, versionId?: string): StoredObject<B> | undefined {
    const versions = this.buckets.get(bucket)?.objects.get(key);
    if (!versions) return undefined;
    if (versionId === undefined) return versions[0].meta.deleteMarker ? undefined : versions[0];
    return versions.find((v) => idOf(v.meta) === versionId);
  }

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private requireBucket(bucket: string): IndexedBucket<B> {
    const found = this.buckets.get(bucket);
    if (!found) throw new Error(`bucket ${bucket} does not exist`);
    return found;
  }
}

/** The stored bytes of the chosen parts, in order; a part that vanished is a programming error. */
function partsOf<B>(upload: StoredUpload<B>, partNumbers: readonly number[]): B[] {
  return partNumbers.map((n) => {
    const part = upload.parts.get(n);
    if (!part) throw new Error(`part ${n} of upload ${upload.info.uploadId} vanished`);
    return part.bytes;
  });
}

/** A version's id as COS answers it: its id, or `null`. */
function idOf(meta: ObjectMeta): string {
  return meta.versionId ?? NULL_VERSION_ID;
}

/** Loaded versions by key; a backend lists a key's versions newest first. */
function groupByKey<B>(objects: ReadonlyArray<StoredObject<B>>): Map<string, Array<StoredObject<B>>> {
  const byKey = new Map<string, Array<StoredObject<B>>>();
  for (const object of objects) {
    const versions = byKey.get(object.meta.key);
    if (versions) versions.push(object);
    else byKey.set(object.meta.key, [object]);
  }
  return byKey;
}
