import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ProcessedOutput } from '../processing/process-pic-operations';
import type { ObjectMeta, ObjectStore, StagedBody, StoredHeaders } from '../storage/object-store';
import { filesV2Errors } from './files-v2.errors';

/** How a file is stored. */
export interface FileAttributes {
  contentType: string;
  headers: StoredHeaders;
  /** Binary MD5 of the bytes, when already known (else computed). */
  md5?: Buffer;
}

/** Content types of the formats the engine writes. */
const OUTPUT_TYPES: Readonly<Record<string, string>> = { heif: 'image/heif', tiff: 'image/tiff' };

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
    const ids = [...new Set(targets.map((t) => `${t.bucket}/${t.key}`))];
    for (const [index, id] of ids.entries()) {
      const { bucket, key } = targets[index]!;
      if (this.claimed.has(id) || this.store.headObject(bucket, key)) throw filesV2Errors.fileExists(key);
    }
    for (const id of ids) this.claimed.add(id);
    return () => ids.forEach((id) => this.claimed.delete(id));
  }

  /** -4006 when an output goes to a bucket the emulator does not have (checked before anything is stored). */
  checkBuckets(outputs: readonly ProcessedOutput[]): void {
    for (const output of outputs) {
      if (!this.store.hasBucket(output.bucket)) throw filesV2Errors.noSuchBucket(output.bucket);
    }
  }

  /** Stores bytes held in memory as an object, replacing any previous one. */
  async write(bucket: string, key: string, chunks: readonly Buffer[], attributes: FileAttributes): Promise<ObjectMeta> {
    const size = chunks.reduce((sum, c) => sum + c.length, 0);
    let md5 = attributes.md5;
    if (!md5) {
      const hash = createHash('md5');
      for (const chunk of chunks) hash.update(chunk);
      md5 = hash.digest();
    }
    const staged = await this.store.stageBody(bucket);
    try {
      await pipeline(Readable.from(chunks, { objectMode: false }), staged.sink);
    } catch (error) {
      await staged.discard();
      throw error;
    }
    return this.commit(staged, bucket, key, size, { ...attributes, md5 });
  }

  /** Makes a body already staged (streamed from the request) the object. */
  commit(
    staged: StagedBody,
    bucket: string,
    key: string,
    size: number,
    attributes: FileAttributes & { md5: Buffer },
  ): Promise<ObjectMeta> {
    return this.store.commitObject(staged, {
      bucket,
      key,
      size,
      etag: `"${attributes.md5.toString('hex')}"`,
      contentType: attributes.contentType,
      headers: attributes.headers,
    });
  }

  /** Stores every output of a processing run, in rule order (a later rule with the same key wins). */
  async writeOutputs(outputs: readonly ProcessedOutput[]): Promise<void> {
    for (const output of outputs) {
      await this.write(output.bucket, output.key, [output.body], {
        contentType: OUTPUT_TYPES[output.format] ?? `image/${output.format}`,
        headers: {},
      });
    }
  }
}
