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
import { basename, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type {
  ByteBackend,
  LoadedBucket,
  OpenedBytes,
  StoredObject,
  StoredPart,
  StoredUpload,
} from './byte-backend';
import { IndexedObjectStore } from './object-index';
import type { BucketConfig, BucketInfo, MultipartUploadInfo, ObjectMeta, StagedBody } from './object-store';

const TMP_PREFIX = '.tmp-';

/**
 * Bytes on disk: a path relative to the bucket's directory (`objects/<sha256(key)>.<uuid>.bin`,
 * `uploads/<uploadId>/part-<n>.<uuid>.bin`). A new name for every body, so a reader of old bytes is never handed
 * new ones.
 */
type DiskBytesPath = string;

/** An object version as its sidecar stores it: the metadata (without the bucket) and its data file's name. */
type ObjectRecord = Omit<ObjectMeta, 'bucket' | 'lastModified'> & { lastModified: string; data?: string };

/** A key's sidecar: its versions, newest first. */
interface KeyRecord {
  key: string;
  versions: ObjectRecord[];
}

interface PartRecord {
  partNumber: number;
  size: number;
  etag: string;
  lastModified: string;
  data: string;
}

type UploadRecord = Omit<MultipartUploadInfo, 'bucket' | 'initiated'> & { initiated: string };

interface DiskStaged extends StagedBody {
  sink: WriteStream;
  path: string;
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

async function unlinkQuietly(path: string): Promise<void> {
  await unlink(path).catch((error: unknown) => {
    if (!isMissing(error)) throw error;
  });
}

async function removeTree(path: string): Promise<void> {
  await rm(path, { recursive: true, force: true, maxRetries: 3 });
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

/**
 * A name used as one path segment (a bucket, an upload id, a data file from a sidecar): anything that could
 * climb out of its directory is refused, so no request and no edited sidecar reaches a file outside `dataDir`.
 */
function segment(name: string): string {
  if (!isSegment(name)) throw new Error(`Refused path segment ${JSON.stringify(name)}`);
  return name;
}

function isSegment(name: string): boolean {
  return !!name && name !== '.' && name !== '..' && basename(name) === name && !name.includes('\\');
}

function stagedFile(dir: string): DiskStaged {
  const path = join(dir, TMP_PREFIX + randomUUID());
  const sink = createWriteStream(path, { flags: 'wx' });
  const whole = new Promise<void>((resolve) => sink.once('close', resolve));
  return {
    sink,
    path,
    whole,
    discard: async () => {
      sink.destroy();
      await whole;
      await unlinkQuietly(path);
    },
  };
}

/**
 * The disk byte backend under `dataDir`: `buckets/<bucket>/` holds `bucket.json`, `config.json`,
 * `objects/<sha256(key)>.json` (a key's sidecar: its versions) beside their data files, and
 * `uploads/<uploadId>/` (`upload.json`, `part-<n>.json` and the parts' data files). Bodies stream into a
 * temporary file (`.tmp-*`, on the same file system) renamed into place once whole; `load` rebuilds the index
 * from the sidecars and removes what a crash left behind.
 */
export class DiskBytes implements ByteBackend<DiskBytesPath> {
  constructor(private readonly dataDir: string) {}

  async load(): Promise<Array<LoadedBucket<DiskBytesPath>>> {
    await mkdir(this.bucketsRoot(), { recursive: true });
    const loaded: Array<LoadedBucket<DiskBytesPath>> = [];
    for (const entry of await readdir(this.bucketsRoot(), { withFileTypes: true })) {
      if (entry.isDirectory()) loaded.push(await this.loadBucket(entry.name));
    }
    return loaded;
  }

  async createBucket(info: BucketInfo): Promise<void> {
    await mkdir(this.objectsDir(info.name), { recursive: true });
    await mkdir(this.uploadsDir(info.name), { recursive: true });
    await writeJsonAtomically(this.bucketDir(info.name), 'bucket.json', {
      createdAt: info.createdAt.toISOString(),
    });
  }

  async deleteBucket(bucket: string): Promise<void> {
    await removeTree(this.bucketDir(bucket));
  }

  async saveBucketConfig(bucket: string, config: BucketConfig): Promise<void> {
    await writeJsonAtomically(this.bucketDir(bucket), 'config.json', config);
  }

  stage(bucket: string, uploadId?: string): StagedBody {
    // A part is staged beside the upload directories, not inside its own: an abort removes that directory
    // while the part may still be streaming, and the index keeps the part only if the upload still exists.
    return stagedFile(uploadId === undefined ? this.objectsDir(bucket) : this.uploadsDir(bucket));
  }

  async stageJoined(
    bucket: string,
    sources: readonly DiskBytesPath[],
    tail?: StagedBody,
  ): Promise<StagedBody> {
    const paths = sources.map((s) => join(this.bucketDir(bucket), s));
    if (tail) {
      await tail.whole;
      paths.push((tail as DiskStaged).path);
    }
    const staged = stagedFile(this.objectsDir(bucket));
    try {
      await pipeline(
        Readable.from(
          (async function* () {
            for (const path of paths) yield* createReadStream(path);
          })(),
        ),
        staged.sink,
      );
    } catch (error) {
      await staged.discard();
      throw error;
    } finally {
      await tail?.discard();
    }
    return staged;
  }

  async keepObjectBytes(staged: StagedBody, bucket: string, key: string): Promise<DiskBytesPath> {
    const name = `${fileName(key)}.${randomUUID()}.bin`;
    await rename((staged as DiskStaged).path, join(this.objectsDir(bucket), name));
    return `objects/${name}`;
  }

  async keepPartBytes(
    staged: StagedBody,
    bucket: string,
    uploadId: string,
    partNumber: number,
  ): Promise<DiskBytesPath> {
    const name = `part-${partNumber}.${randomUUID()}.bin`;
    await rename((staged as DiskStaged).path, join(this.uploadDir(bucket, uploadId), name));
    return `uploads/${segment(uploadId)}/${name}`;
  }

  async open(bucket: string, bytes: DiskBytesPath): Promise<OpenedBytes | undefined> {
    let handle: FileHandle;
    try {
      handle = await open(join(this.bucketDir(bucket), bytes), 'r');
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
    return {
      stream: (range) =>
        handle.createReadStream(
          range ? { start: range.start, end: range.end, autoClose: true } : { autoClose: true },
        ),
      close: () => handle.close(),
    };
  }

  async openJoined(bucket: string, sources: readonly DiskBytesPath[]): Promise<Readable> {
    const handles: FileHandle[] = [];
    try {
      for (const source of sources) handles.push(await open(join(this.bucketDir(bucket), source), 'r'));
    } catch (error) {
      await Promise.all(handles.map((h) => h.close()));
      throw error;
    }
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

  async dropBytes(bucket: string, bytes: DiskBytesPath): Promise<void> {
    // A reader that opened the file keeps reading it: unlinking does not cut an open descriptor.
    await unlinkQuietly(join(this.bucketDir(bucket), bytes));
  }

  async saveKey(
    bucket: string,
    key: string,
    versions: ReadonlyArray<StoredObject<DiskBytesPath>>,
  ): Promise<void> {
    const name = `${fileName(key)}.json`;
    if (!versions.length) {
      await unlinkQuietly(join(this.objectsDir(bucket), name));
      return;
    }
    const record: KeyRecord = {
      key,
      versions: versions.map(({ meta, bytes }) => {
        const { bucket: _bucket, lastModified, ...rest } = meta;
        return { ...rest, lastModified: lastModified.toISOString(), data: bytes && basename(bytes) };
      }),
    };
    await writeJsonAtomically(this.objectsDir(bucket), name, record);
  }

  async saveUpload(info: MultipartUploadInfo): Promise<void> {
    const dir = this.uploadDir(info.bucket, info.uploadId);
    await mkdir(dir, { recursive: true });
    const { bucket: _bucket, initiated, ...rest } = info;
    const record: UploadRecord = { ...rest, initiated: initiated.toISOString() };
    await writeJsonAtomically(dir, 'upload.json', record);
  }

  async savePart(bucket: string, uploadId: string, part: StoredPart<DiskBytesPath>): Promise<void> {
    const record: PartRecord = {
      ...part.info,
      lastModified: part.info.lastModified.toISOString(),
      data: basename(part.bytes),
    };
    await writeJsonAtomically(this.uploadDir(bucket, uploadId), `part-${part.info.partNumber}.json`, record);
  }

  async dropUpload(bucket: string, uploadId: string): Promise<void> {
    await removeTree(this.uploadDir(bucket, uploadId));
  }

  async clear(): Promise<void> {
    await removeTree(this.bucketsRoot());
    await mkdir(this.bucketsRoot(), { recursive: true });
  }

  private async loadBucket(bucket: string): Promise<LoadedBucket<DiskBytesPath>> {
    const marker = await readJson<{ createdAt?: string }>(join(this.bucketDir(bucket), 'bucket.json'));
    const config = await readJson<BucketConfig>(join(this.bucketDir(bucket), 'config.json'));
    const loaded: LoadedBucket<DiskBytesPath> = {
      info: { name: bucket, createdAt: new Date(marker?.createdAt ?? Date.now()) },
      config: config ?? {},
      objects: [],
      uploads: [],
    };
    const objectsDir = this.objectsDir(bucket);
    await mkdir(objectsDir, { recursive: true });
    const names = await readdir(objectsDir);
    const referenced = new Set<string>();
    for (const name of names) {
      if (!name.endsWith('.json') || name.startsWith(TMP_PREFIX)) continue;
      const record = await readJson<KeyRecord | ObjectRecord>(join(objectsDir, name));
      if (!record || typeof record.key !== 'string') continue;
      // A sidecar of an earlier layout holds one version, not a list.
      const versions = 'versions' in record ? record.versions : [{ ...record, key: record.key }];
      for (const version of versions) {
        const { data, lastModified, ...rest } = version;
        const meta = { ...rest, key: record.key, bucket, lastModified: new Date(lastModified) };
        if (version.deleteMarker) {
          loaded.objects.push({ meta });
          continue;
        }
        if (typeof data !== 'string' || !isSegment(data)) continue;
        referenced.add(data);
        loaded.objects.push({ meta, bytes: `objects/${data}` });
      }
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
      if (entry.isDirectory()) {
        const upload = await this.loadUpload(bucket, entry.name);
        if (upload) loaded.uploads.push(upload);
      } else if (entry.name.startsWith(TMP_PREFIX)) {
        await unlinkQuietly(join(uploadsDir, entry.name));
      }
    }
    return loaded;
  }

  private async loadUpload(
    bucket: string,
    uploadId: string,
  ): Promise<StoredUpload<DiskBytesPath> | undefined> {
    const dir = this.uploadDir(bucket, uploadId);
    const record = await readJson<UploadRecord>(join(dir, 'upload.json'));
    if (!record || record.uploadId !== uploadId) {
      await removeTree(dir);
      return undefined;
    }
    const { initiated, ...rest } = record;
    const upload: StoredUpload<DiskBytesPath> = {
      info: { ...rest, bucket, initiated: new Date(initiated) },
      parts: new Map(),
    };
    const names = await readdir(dir);
    const referenced = new Set<string>();
    for (const name of names) {
      if (!/^part-\d+\.json$/.test(name)) continue;
      const part = await readJson<PartRecord>(join(dir, name));
      if (!part || typeof part.data !== 'string' || !isSegment(part.data)) continue;
      const data = part.data;
      referenced.add(data);
      const { data: _data, lastModified, ...info } = part;
      upload.parts.set(part.partNumber, {
        info: { ...info, lastModified: new Date(lastModified) },
        bytes: `uploads/${uploadId}/${data}`,
      });
    }
    for (const name of names) {
      if (name.startsWith(TMP_PREFIX) || (name.endsWith('.bin') && !referenced.has(name))) {
        await unlinkQuietly(join(dir, name));
      }
    }
    return upload;
  }

  private bucketsRoot(): string {
    return join(this.dataDir, 'buckets');
  }

  private bucketDir(bucket: string): string {
    return join(this.bucketsRoot(), segment(bucket));
  }

  private objectsDir(bucket: string): string {
    return join(this.bucketDir(bucket), 'objects');
  }

  private uploadsDir(bucket: string): string {
    return join(this.bucketDir(bucket), 'uploads');
  }

  private uploadDir(bucket: string, uploadId: string): string {
    return join(this.uploadsDir(bucket), segment(uploadId));
  }
}

/** A key's file name: its SHA-256, so no key (`../x`, `a/b`, 850 bytes long) ever becomes a path. */
function fileName(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Keeps objects on disk under `dataDir`, so they survive a restart (see {@link DiskBytes} for the layout). */
export class DiskObjectStore extends IndexedObjectStore<DiskBytesPath> {
  constructor(dataDir: string) {
    super(new DiskBytes(dataDir));
  }
}
