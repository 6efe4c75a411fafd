import { Readable, Writable } from 'node:stream';
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

/** Collects a body's chunks as they arrive; they are kept as they are, never joined into one buffer. */
class ChunkSink extends Writable {
  readonly chunks: Buffer[] = [];

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    // A small slice of a large socket read buffer would keep the whole read buffer alive: copy those.
    this.chunks.push(chunk.byteLength * 2 < chunk.buffer.byteLength ? Buffer.from(chunk) : chunk);
    callback();
  }
}

interface MemoryStaged extends StagedBody {
  sink: ChunkSink;
}

interface MemoryObject {
  meta: ObjectMeta;
  chunks: readonly Buffer[];
}

interface MemoryPart {
  info: PartInfo;
  chunks: readonly Buffer[];
}

interface MemoryUpload {
  info: MultipartUploadInfo;
  parts: Map<number, MemoryPart>;
}

interface MemoryBucket {
  info: BucketInfo;
  config: BucketConfig;
  objects: Map<string, MemoryObject>;
  uploads: Map<string, MemoryUpload>;
}

/** Yields the bytes `start..end` (inclusive) of a chunk list without copying them. */
function* sliceChunks(chunks: readonly Buffer[], start: number, end: number): Generator<Buffer> {
  let offset = 0;
  for (const chunk of chunks) {
    const chunkEnd = offset + chunk.length;
    if (chunkEnd > start && offset <= end) {
      yield chunk.subarray(Math.max(0, start - offset), Math.min(chunk.length, end - offset + 1));
    }
    offset = chunkEnd;
    if (offset > end) return;
  }
}

/** Keeps everything in memory: each object is the list of chunks its body arrived in. The default store. */
export class MemoryObjectStore implements ObjectStore {
  private readonly buckets = new Map<string, MemoryBucket>();

  async open(): Promise<void> {}

  async close(): Promise<void> {}

  listBuckets(): BucketInfo[] {
    return [...this.buckets.values()].map((b) => b.info).sort((a, b) => compareKeys(a.name, b.name));
  }

  hasBucket(bucket: string): boolean {
    return this.buckets.has(bucket);
  }

  async createBucket(bucket: string): Promise<void> {
    if (this.buckets.has(bucket)) return;
    this.buckets.set(bucket, {
      info: { name: bucket, createdAt: new Date() },
      config: {},
      objects: new Map(),
      uploads: new Map(),
    });
  }

  async deleteBucket(bucket: string): Promise<boolean> {
    return this.buckets.delete(bucket);
  }

  getBucketConfig(bucket: string): BucketConfig {
    return this.buckets.get(bucket)?.config ?? {};
  }

  async setBucketConfig(bucket: string, config: BucketConfig): Promise<void> {
    this.requireBucket(bucket).config = config;
  }

  async updateObjectHeaders(
    bucket: string,
    key: string,
    headers: StoredHeaders,
  ): Promise<ObjectMeta | undefined> {
    const object = this.buckets.get(bucket)?.objects.get(key);
    if (!object) return undefined;
    object.meta = { ...object.meta, headers };
    return object.meta;
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
    const object = this.buckets.get(bucket)?.objects.get(key);
    if (!object) return undefined;
    return {
      meta: object.meta,
      stream: (range) =>
        Readable.from(sliceChunks(object.chunks, range?.start ?? 0, range?.end ?? object.meta.size - 1), {
          objectMode: false,
        }),
      close: async () => {},
    };
  }

  async deleteObject(bucket: string, key: string): Promise<boolean> {
    return this.buckets.get(bucket)?.objects.delete(key) ?? false;
  }

  async stageBody(_bucket: string, _uploadId?: string): Promise<StagedBody> {
    const sink = new ChunkSink();
    const staged: MemoryStaged = {
      sink,
      discard: async () => {
        sink.destroy();
        sink.chunks.length = 0;
      },
    };
    return staged;
  }

  async commitObject(staged: StagedBody, attributes: ObjectAttributes): Promise<ObjectMeta> {
    const bucket = this.requireBucket(attributes.bucket);
    const meta: ObjectMeta = { ...attributes, lastModified: new Date() };
    bucket.objects.set(attributes.key, { meta, chunks: (staged as MemoryStaged).sink.chunks });
    return meta;
  }

  async createMultipartUpload(
    bucket: string,
    key: string,
    attributes: { contentType: string; headers: StoredHeaders },
  ): Promise<MultipartUploadInfo> {
    const info: MultipartUploadInfo = {
      bucket,
      key,
      uploadId: newUploadId(),
      initiated: new Date(),
      ...attributes,
    };
    this.requireBucket(bucket).uploads.set(info.uploadId, { info, parts: new Map() });
    return info;
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
    const upload = this.buckets.get(part.bucket)?.uploads.get(part.uploadId);
    if (!upload) throw new NoSuchUploadError(part.uploadId);
    const info: PartInfo = {
      partNumber: part.partNumber,
      size: part.size,
      etag: part.etag,
      lastModified: new Date(),
    };
    upload.parts.set(part.partNumber, { info, chunks: (staged as MemoryStaged).sink.chunks });
    return info;
  }

  listParts(bucket: string, uploadId: string): PartInfo[] {
    const upload = this.buckets.get(bucket)?.uploads.get(uploadId);
    return upload
      ? [...upload.parts.values()].map((p) => p.info).sort((a, b) => a.partNumber - b.partNumber)
      : [];
  }

  async openUploadParts(bucket: string, uploadId: string, partNumbers: readonly number[]): Promise<Readable> {
    const upload = this.buckets.get(bucket)?.uploads.get(uploadId);
    if (!upload) throw new NoSuchUploadError(uploadId);
    const chunks = partNumbers.flatMap((n) => {
      const part = upload.parts.get(n);
      if (!part) throw new Error(`part ${n} of upload ${uploadId} vanished`);
      return part.chunks;
    });
    return Readable.from(chunks, { objectMode: false });
  }

  async completeMultipartUpload(
    bucket: string,
    uploadId: string,
    partNumbers: readonly number[],
    etag: string,
  ): Promise<ObjectMeta> {
    const owner = this.requireBucket(bucket);
    const upload = owner.uploads.get(uploadId);
    if (!upload) throw new NoSuchUploadError(uploadId);
    const parts = partNumbers.map((n) => {
      const part = upload.parts.get(n);
      if (!part) throw new Error(`part ${n} of upload ${uploadId} vanished`);
      return part;
    });
    const { key, contentType, headers } = upload.info;
    const meta: ObjectMeta = {
      bucket,
      key,
      size: parts.reduce((sum, p) => sum + p.info.size, 0),
      etag,
      contentType,
      headers,
      lastModified: new Date(),
    };
    owner.objects.set(key, { meta, chunks: parts.flatMap((p) => p.chunks) });
    owner.uploads.delete(uploadId);
    return meta;
  }

  async abortMultipartUpload(bucket: string, uploadId: string): Promise<boolean> {
    return this.buckets.get(bucket)?.uploads.delete(uploadId) ?? false;
  }

  async reset(buckets: readonly string[]): Promise<void> {
    this.buckets.clear();
    for (const bucket of buckets) await this.createBucket(bucket);
  }

  private requireBucket(bucket: string): MemoryBucket {
    const found = this.buckets.get(bucket);
    if (!found) throw new Error(`bucket ${bucket} does not exist`);
    return found;
  }
}
