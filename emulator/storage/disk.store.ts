import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import {
  type FileHandle,
  mkdir,
  open,
  readdir,
  readFile,
  rename,
  rm,
  unlink,
  writeFile,
} from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { compareKeys, compareUploads } from './key-order';
import {
  type BucketConfig,
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
import { newUploadId } from './upload-id';

const TMP_PREFIX = '.tmp-';

interface ObjectRecord {
  key: string;
  size: number;
  etag: string;
  contentType: string;
  lastModified: string;
  headers: StoredHeaders;
  /** Data file name: unique per version, so a reader of the old version is never handed the new bytes. */
  data: string;
}

interface PartRecord {
  partNumber: number;
  size: number;
  etag: string;
  lastModified: string;
  data: string;
}

interface UploadRecord {
  key: string;
  uploadId: string;
  initiated: string;
  contentType: string;
  headers: StoredHeaders;
}

interface DiskObject {
  meta: ObjectMeta;
  data: string;
}

interface DiskUpload {
  info: MultipartUploadInfo;
  parts: Map<number, { info: PartInfo; data: string }>;
}

interface DiskBucket {
  info: BucketInfo;
  config: BucketConfig;
  objects: Map<string, DiskObject>;
  uploads: Map<string, DiskUpload>;
}

interface DiskStaged extends StagedBody {
  sink: WriteStream;
  path: string;
  closed: Promise<void>;
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

async function unlinkQuietly(path: string): Promise<void> {
  await unlink(path).catch((error: unknown) => {
    if (!isMissing(error)) throw error;
  });
}

async function readJson<T>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** Writes a file through a temporary file and a rename, so a reader sees the old or the new file, whole. */
async function writeJsonAtomically(dir: string, name: string, value: unknown): Promise<void> {
  const tmp = join(dir, TMP_PREFIX + randomUUID());
  await writeFile(tmp, JSON.stringify(value));
  await rename(tmp, join(dir, name));
}

function stagedFile(dir: string): DiskStaged {
  const path = join(dir, TMP_PREFIX + randomUUID());
  const sink = createWriteStream(path, { flags: 'wx' });
  const closed = new Promise<void>((resolve) => sink.once('close', resolve));
  return {
    sink,
    path,
    closed,
    discard: async () => {
      sink.destroy();
      await closed;
      await unlinkQuietly(path);
    },
  };
}

/**
 * Keeps objects on disk under `dataDir`, so they survive a restart. Layout:
 * `buckets/<bucket>/objects/<sha256(key)>.json` (metadata sidecar) + `<sha256(key)>.<uuid>.bin` (bytes), and
 * `buckets/<bucket>/uploads/<uploadId>/` (`upload.json`, `part-<n>.json`, `part-<n>.<uuid>.bin`). Bodies
 * stream into a temporary file (`.tmp-*`, in `objects/` or `uploads/`, on the same file system) and are renamed
 * into place once whole; metadata is indexed in memory, rebuilt from the sidecars at start.
 */
export class DiskObjectStore implements ObjectStore {
  private readonly buckets = new Map<string, DiskBucket>();
  // Metadata changes (renames, sidecars, index) run one at a time; bodies stream outside this queue.
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly dataDir: string) {}

  async open(): Promise<void> {
    await mkdir(this.bucketsRoot(), { recursive: true });
    for (const entry of await readdir(this.bucketsRoot(), { withFileTypes: true })) {
      if (entry.isDirectory()) await this.loadBucket(entry.name);
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
      await mkdir(this.objectsDir(bucket), { recursive: true });
      await mkdir(this.uploadsDir(bucket), { recursive: true });
      await writeJsonAtomically(this.bucketDir(bucket), 'bucket.json', {
        createdAt: info.createdAt.toISOString(),
      });
      this.buckets.set(bucket, { info, config: {}, objects: new Map(), uploads: new Map() });
    });
  }

  deleteBucket(bucket: string): Promise<boolean> {
    return this.serial(async () => {
      if (!this.buckets.delete(bucket)) return false;
      await rm(this.bucketDir(bucket), { recursive: true, force: true, maxRetries: 3 });
      return true;
    });
  }

  getBucketConfig(bucket: string): BucketConfig {
    return this.buckets.get(bucket)?.config ?? {};
  }

  setBucketConfig(bucket: string, config: BucketConfig): Promise<void> {
    return this.serial(async () => {
      const owner = this.requireBucket(bucket);
      await writeJsonAtomically(this.bucketDir(bucket), 'config.json', config);
      owner.config = config;
    });
  }

  updateObjectHeaders(bucket: string, key: string, headers: StoredHeaders): Promise<ObjectMeta | undefined> {
    return this.serial(async () => {
      const object = this.buckets.get(bucket)?.objects.get(key);
      if (!object) return undefined;
      const meta: ObjectMeta = { ...object.meta, headers };
      await writeJsonAtomically(
        this.objectsDir(bucket),
        `${this.fileName(key)}.json`,
        this.record(meta, object.data),
      );
      object.meta = meta;
      return meta;
    });
  }

  listObjects(bucket: string, prefix = ''): ObjectMeta[] {
    const objects = this.buckets.get(bucket)?.objects;
    if (!objects) return [];
    return [...objects.values()]
      .map((o) => o.meta)
      .filter((m) => m.key.startsWith(prefix))
      .sort((a, b) => compareKeys(a.key, b.key));
  }

  headObject(bucket: string, key: string): ObjectMeta | undefined {
    return this.buckets.get(bucket)?.objects.get(key)?.meta;
  }

  async openObject(bucket: string, key: string): Promise<ObjectReader | undefined> {
    // A delete or an overwrite may remove the data file between the lookup and the open: look again.
    for (let attempt = 0; attempt < 3; attempt++) {
      const object = this.buckets.get(bucket)?.objects.get(key);
      if (!object) return undefined;
      try {
        const handle = await open(join(this.objectsDir(bucket), object.data), 'r');
        return {
          meta: object.meta,
          stream: (range) =>
            handle.createReadStream(
              range ? { start: range.start, end: range.end, autoClose: true } : { autoClose: true },
            ),
          close: () => handle.close(),
        };
      } catch (error) {
        if (!isMissing(error)) throw error;
      }
    }
    return undefined;
  }

  deleteObject(bucket: string, key: string): Promise<boolean> {
    return this.serial(async () => {
      const owner = this.buckets.get(bucket);
      const object = owner?.objects.get(key);
      if (!owner || !object) return false;
      owner.objects.delete(key);
      await unlinkQuietly(join(this.objectsDir(bucket), `${this.fileName(key)}.json`));
      await unlinkQuietly(join(this.objectsDir(bucket), object.data));
      return true;
    });
  }

  async stageBody(bucket: string, uploadId?: string): Promise<StagedBody> {
    if (uploadId !== undefined && !this.buckets.get(bucket)?.uploads.has(uploadId)) {
      throw new NoSuchUploadError(uploadId);
    }
    // A part is staged beside the upload directories, not inside its own: an abort removes that directory
    // while the part may still be streaming, and commitPart moves the part in only if the upload still exists.
    return stagedFile(uploadId === undefined ? this.objectsDir(bucket) : this.uploadsDir(bucket));
  }

  async commitObject(staged: StagedBody, attributes: ObjectAttributes): Promise<ObjectMeta> {
    const file = staged as DiskStaged;
    await file.closed;
    return this.serial(() => this.placeObject(file.path, attributes));
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
      const dir = this.uploadDir(bucket, info.uploadId);
      await mkdir(dir, { recursive: true });
      const record: UploadRecord = {
        ...attributes,
        key,
        uploadId: info.uploadId,
        initiated: info.initiated.toISOString(),
      };
      await writeJsonAtomically(dir, 'upload.json', record);
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
    part: { bucket: string; uploadId: string; partNumber: number; size: number; etag: string },
  ): Promise<PartInfo> {
    const file = staged as DiskStaged;
    await file.closed;
    return this.serial(async () => {
      const upload = this.buckets.get(part.bucket)?.uploads.get(part.uploadId);
      if (!upload) {
        await unlinkQuietly(file.path);
        throw new NoSuchUploadError(part.uploadId);
      }
      const dir = this.uploadDir(part.bucket, part.uploadId);
      const data = `part-${part.partNumber}.${randomUUID()}.bin`;
      await rename(file.path, join(dir, data));
      const info: PartInfo = {
        partNumber: part.partNumber,
        size: part.size,
        etag: part.etag,
        lastModified: new Date(),
      };
      const record: PartRecord = { ...info, lastModified: info.lastModified.toISOString(), data };
      await writeJsonAtomically(dir, `part-${part.partNumber}.json`, record);
      const previous = upload.parts.get(part.partNumber);
      upload.parts.set(part.partNumber, { info, data });
      if (previous) await unlinkQuietly(join(dir, previous.data));
      return info;
    });
  }

  listParts(bucket: string, uploadId: string): PartInfo[] {
    const upload = this.buckets.get(bucket)?.uploads.get(uploadId);
    return upload
      ? [...upload.parts.values()].map((p) => p.info).sort((a, b) => a.partNumber - b.partNumber)
      : [];
  }

  async openUploadParts(bucket: string, uploadId: string, partNumbers: readonly number[]): Promise<Readable> {
    // The files are opened inside the queue: a part replaced or an upload aborted afterwards does not cut the read.
    const handles = await this.serial(async () => {
      const upload = this.buckets.get(bucket)?.uploads.get(uploadId);
      if (!upload) throw new NoSuchUploadError(uploadId);
      const dir = this.uploadDir(bucket, uploadId);
      const paths = partNumbers.map((n) => {
        const part = upload.parts.get(n);
        if (!part) throw new Error(`part ${n} of upload ${uploadId} vanished`);
        return join(dir, part.data);
      });
      const opened: FileHandle[] = [];
      try {
        for (const path of paths) opened.push(await open(path, 'r'));
      } catch (error) {
        await Promise.all(opened.map((h) => h.close()));
        throw error;
      }
      return opened;
    });
    return Readable.from(
      (async function* () {
        try {
          for (const handle of handles) yield* handle.createReadStream({ autoClose: false });
        } finally {
          await Promise.all(handles.map((h) => h.close().catch(() => undefined)));
        }
      })(),
    );
  }

  async completeMultipartUpload(
    bucket: string,
    uploadId: string,
    partNumbers: readonly number[],
    etag: string,
  ): Promise<ObjectMeta> {
    // Claim the upload first: a concurrent abort or part upload now sees NoSuchUpload.
    const upload = await this.serial(async () => {
      const owner = this.requireBucket(bucket);
      const found = owner.uploads.get(uploadId);
      if (!found) throw new NoSuchUploadError(uploadId);
      owner.uploads.delete(uploadId);
      return found;
    });
    const dir = this.uploadDir(bucket, uploadId);
    const files = partNumbers.map((n) => {
      const part = upload.parts.get(n);
      if (!part) throw new Error(`part ${n} of upload ${uploadId} vanished`);
      return { path: join(dir, part.data), size: part.info.size };
    });
    const staged = stagedFile(this.objectsDir(bucket));
    try {
      await pipeline(
        Readable.from(
          (async function* () {
            for (const file of files) yield* createReadStream(file.path);
          })(),
        ),
        staged.sink,
      );
      await staged.closed;
    } catch (error) {
      await staged.discard();
      this.buckets.get(bucket)?.uploads.set(uploadId, upload);
      throw error;
    }
    const { key, contentType, headers } = upload.info;
    const size = files.reduce((sum, f) => sum + f.size, 0);
    return this.serial(async () => {
      const meta = await this.placeObject(staged.path, { bucket, key, size, etag, contentType, headers });
      await rm(dir, { recursive: true, force: true, maxRetries: 3 });
      return meta;
    });
  }

  abortMultipartUpload(bucket: string, uploadId: string): Promise<boolean> {
    return this.serial(async () => {
      const owner = this.buckets.get(bucket);
      if (!owner?.uploads.delete(uploadId)) return false;
      await rm(this.uploadDir(bucket, uploadId), { recursive: true, force: true, maxRetries: 3 });
      return true;
    });
  }

  async reset(buckets: readonly string[]): Promise<void> {
    await this.serial(async () => {
      this.buckets.clear();
      await rm(this.bucketsRoot(), { recursive: true, force: true, maxRetries: 3 });
      await mkdir(this.bucketsRoot(), { recursive: true });
    });
    for (const bucket of buckets) await this.createBucket(bucket);
  }

  /** Moves a whole temporary file into place as an object; runs inside the queue. */
  private async placeObject(tmpPath: string, attributes: ObjectAttributes): Promise<ObjectMeta> {
    const owner = this.buckets.get(attributes.bucket);
    if (!owner) {
      await unlinkQuietly(tmpPath);
      throw new Error(`bucket ${attributes.bucket} does not exist`);
    }
    const dir = this.objectsDir(attributes.bucket);
    const name = this.fileName(attributes.key);
    const data = `${name}.${randomUUID()}.bin`;
    await rename(tmpPath, join(dir, data));
    const meta: ObjectMeta = { ...attributes, lastModified: new Date() };
    await writeJsonAtomically(dir, `${name}.json`, this.record(meta, data));
    const previous = owner.objects.get(meta.key);
    owner.objects.set(meta.key, { meta, data });
    // A reader that opened the previous file keeps reading it: unlinking does not cut an open descriptor.
    if (previous) await unlinkQuietly(join(dir, previous.data));
    return meta;
  }

  /** The sidecar of an object. */
  private record(meta: ObjectMeta, data: string): ObjectRecord {
    return {
      key: meta.key,
      size: meta.size,
      etag: meta.etag,
      contentType: meta.contentType,
      headers: meta.headers,
      lastModified: meta.lastModified.toISOString(),
      data,
    };
  }

  private async loadBucket(bucket: string): Promise<void> {
    const marker = await readJson<{ createdAt?: string }>(join(this.bucketDir(bucket), 'bucket.json'));
    const config = await readJson<BucketConfig>(join(this.bucketDir(bucket), 'config.json'));
    const owner: DiskBucket = {
      info: { name: bucket, createdAt: new Date(marker?.createdAt ?? Date.now()) },
      config: config ?? {},
      objects: new Map(),
      uploads: new Map(),
    };
    const objectsDir = this.objectsDir(bucket);
    await mkdir(objectsDir, { recursive: true });
    const names = await readdir(objectsDir);
    const referenced = new Set<string>();
    for (const name of names) {
      if (!name.endsWith('.json') || name.startsWith(TMP_PREFIX)) continue;
      const record = await readJson<ObjectRecord>(join(objectsDir, name));
      if (!record || typeof record.key !== 'string' || typeof record.data !== 'string') continue;
      referenced.add(record.data);
      const { data, lastModified, ...rest } = record;
      owner.objects.set(record.key, {
        meta: { ...rest, bucket, lastModified: new Date(lastModified) },
        data,
      });
    }
    // What a crash left behind: temporary files and data files no sidecar points to.
    for (const name of names) {
      if (name.startsWith(TMP_PREFIX) || (name.endsWith('.bin') && !referenced.has(name))) {
        await unlinkQuietly(join(objectsDir, name));
      }
    }
    const uploadsDir = this.uploadsDir(bucket);
    await mkdir(uploadsDir, { recursive: true });
    for (const entry of await readdir(uploadsDir, { withFileTypes: true })) {
      if (entry.isDirectory()) await this.loadUpload(owner, join(uploadsDir, entry.name));
      else if (entry.name.startsWith(TMP_PREFIX)) await unlinkQuietly(join(uploadsDir, entry.name));
    }
    this.buckets.set(bucket, owner);
  }

  private async loadUpload(owner: DiskBucket, dir: string): Promise<void> {
    const record = await readJson<UploadRecord>(join(dir, 'upload.json'));
    if (!record || typeof record.uploadId !== 'string') {
      await rm(dir, { recursive: true, force: true, maxRetries: 3 });
      return;
    }
    const upload: DiskUpload = {
      info: {
        bucket: owner.info.name,
        key: record.key,
        uploadId: record.uploadId,
        initiated: new Date(record.initiated),
        contentType: record.contentType,
        headers: record.headers,
      },
      parts: new Map(),
    };
    const names = await readdir(dir);
    const referenced = new Set<string>();
    for (const name of names) {
      if (!/^part-\d+\.json$/.test(name)) continue;
      const part = await readJson<PartRecord>(join(dir, name));
      if (!part || typeof part.data !== 'string') continue;
      referenced.add(part.data);
      const { data, lastModified, ...info } = part;
      upload.parts.set(part.partNumber, { info: { ...info, lastModified: new Date(lastModified) }, data });
    }
    for (const name of names) {
      if (name.startsWith(TMP_PREFIX) || (name.endsWith('.bin') && !referenced.has(name))) {
        await unlinkQuietly(join(dir, name));
      }
    }
    owner.uploads.set(record.uploadId, upload);
  }

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private requireBucket(bucket: string): DiskBucket {
    const found = this.buckets.get(bucket);
    if (!found) throw new Error(`bucket ${bucket} does not exist`);
    return found;
  }

  private fileName(key: string): string {
    return createHash('sha256').update(key, 'utf8').digest('hex');
  }

  private bucketsRoot(): string {
    return join(this.dataDir, 'buckets');
  }

  private bucketDir(bucket: string): string {
    return join(this.bucketsRoot(), bucket);
  }

  private objectsDir(bucket: string): string {
    return join(this.bucketDir(bucket), 'objects');
  }

  private uploadsDir(bucket: string): string {
    return join(this.bucketDir(bucket), 'uploads');
  }

  private uploadDir(bucket: string, uploadId: string): string {
    return join(this.uploadsDir(bucket), uploadId);
  }
}
