import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { sniffImageType } from '../../lib/core/media';
import type { PicOutput } from '../processing/pic-processor';
import type { ObjectMeta, ObjectStore, StagedBody, StoredHeaders } from '../storage/object-store';
import { createByteMeter, type MeteredBytes } from './byte-meter';
import { filesV2Errors } from './files-v2.errors';

/** How a file is stored. */
export interface FileAttributes {
  /** Default: the sniffed image type, else `application/octet-stream` (a files-v2 form says nothing useful). */
  contentType?: string;
  headers: StoredHeaders;
}

/** The stored Content-Type of bytes starting with `head`: the sniffed image type, else `application/octet-stream`. */
export async function sniffContentType(head: Buffer): Promise<string> {
  return (await sniffImageType(head))?.mimetype ?? 'application/octet-stream';
}

/**
 * Writes files-v2 results into the emulator's store (the one the XML API serves): originals, processing outputs,
 * and the `insertOnly` claims that keep two concurrent "insert only" writes of one key from both succeeding.
 */
export class FilesV2FileWriter {
  private readonly claimed = new Set<string>();

  constructor(private readonly store: ObjectStore) {}

  /** -4018 when `insertOnly` is 1 and the object exists; for an early refusal before a body is read. */
  checkAbsent(bucket: string, key: string, insertOnly: 0 | 1): void {
    if (insertOnly === 1 && this.store.headObject(bucket, key)) throw filesV2Errors.fileExists(key);
  }

  /**
   * Claims keys for a write: with `insertOnly` 1, -4018 when one exists or is being written by another request.
   * Returns the release function (call it once the write is done or failed).
   */
  claim(targets: ReadonlyArray<{ bucket: string; key: string }>, insertOnly: 0 | 1): () => void {
    if (insertOnly === 0) return () => undefined;
    const ids = new Set<string>();
    for (const { bucket, key } of targets) {
      const id = `${bucket}/${key}`;
      if (this.claimed.has(id) || this.store.headObject(bucket, key)) throw filesV2Errors.fileExists(key);
      ids.add(id);
    }
    for (const id of ids) this.claimed.add(id);
    return () => ids.forEach((id) => this.claimed.delete(id));
  }

  /** -4006 when an output goes to a bucket the emulator does not have (checked before anything is stored). */
  checkBuckets(outputs: readonly PicOutput[]): void {
    for (const output of outputs) {
      if (!this.store.hasBucket(output.bucket)) throw filesV2Errors.noSuchBucket(output.bucket);
    }
  }

  /**
   * Streams bytes (a stream, or chunks in memory: kept as they are by the memory store) into the store's staging
   * and makes them the object, replacing any previous one. `check` sees the bytes' size and hashes before the
   * commit; throwing there stores nothing.
   */
  async write(
    bucket: string,
    key: string,
    source: Readable | readonly Buffer[],
    attributes: FileAttributes,
    check?: (metered: MeteredBytes) => void,
  ): Promise<ObjectMeta> {
    const staged = await this.store.stageBody(bucket);
    try {
      let metered: MeteredBytes | undefined;
      const input = source instanceof Readable ? source : Readable.from(source, { objectMode: false });
      await pipeline(
        input,
        createByteMeter((m) => (metered = m)),
        staged.sink,
      );
      check?.(metered!);
      return await this.commit(staged, bucket, key, metered!, attributes);
    } catch (error) {
      await staged.discard();
      throw error;
    }
  }

  /** Makes a staged body (streamed from the request, measured on the way) the object. */
  async commit(
    staged: StagedBody,
    bucket: string,
    key: string,
    metered: MeteredBytes,
    attributes: FileAttributes,
  ): Promise<ObjectMeta> {
    return this.store.commitObject(staged, {
      bucket,
      key,
      size: metered.size,
      etag: `"${metered.md5.toString('hex')}"`,
      crc64: metered.crc64,
      contentType: attributes.contentType ?? (await sniffContentType(metered.head)),
      headers: attributes.headers,
    });
  }
}
