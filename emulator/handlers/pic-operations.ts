import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { PicOutput, PicProcessingOutcome, PicProcessingResult } from '../processing/pic-processor';
import type { ObjectAttributes, ObjectMeta, ObjectStore, StagedBody } from '../storage/object-store';
import { Crc64 } from '../util/crc64';
import { objectLocation, type LocationOrigin } from '../routing/location';
import { checkKey, quotedMd5 } from './handler.utils';

/**
 * Bodies written to the store's staging area and made visible together by {@link commit}, in the order they were
 * added (so an output whose key is the source's replaces the original committed before it). Until then nothing
 * is visible; {@link discard} drops them all.
 */
export class StagedObjects {
  private readonly items: Array<{ staged: StagedBody; attributes: ObjectAttributes }> = [];

  constructor(private readonly store: ObjectStore) {}

  /** Stages `body` to be stored under `attributes`. */
  async add(attributes: ObjectAttributes, body: Buffer): Promise<void> {
    const staged = await this.store.stageBody(attributes.bucket);
    this.items.push({ staged, attributes });
    staged.sink.end(body);
    await finished(staged.sink);
  }

  /** Commits every staged body, in order, and returns what was stored. */
  async commit(): Promise<ObjectMeta[]> {
    const stored: ObjectMeta[] = [];
    for (const { staged, attributes } of this.items.splice(0)) {
      stored.push(await this.store.commitObject(staged, attributes));
    }
    return stored;
  }

  /** Drops every staged body. */
  async discard(): Promise<void> {
    await Promise.all(this.items.splice(0).map(({ staged }) => staged.discard().catch(() => undefined)));
  }
}

/** The attributes an output is stored with: its MD5 as ETag, its image content type. */
function outputAttributes(output: PicOutput): ObjectAttributes {
  return {
    bucket: output.bucket,
    key: output.key,
    size: output.body.length,
    etag: quotedMd5(createHash('md5').update(output.body).digest()),
    crc64: new Crc64().update(output.body).value,
    contentType: output.contentType,
    headers: {},
  };
}

/**
 * Stages the outputs of a processing outcome into `batch` (after what the batch already holds). Refuses an output
 * key over COS's limit (400 `KeyTooLong`) before anything is staged.
 */
export async function stagePicOutputs(batch: StagedObjects, outcome: PicProcessingOutcome): Promise<void> {
  for (const output of outcome.outputs) checkKey(output.key);
  for (const output of outcome.outputs) await batch.add(outputAttributes(output), output.body);
}

/**
 * What the answer renders: `ImageInfo`, and one `ProcessResults/Object` per output measured on what was stored
 * (`stored` holds the outputs' metadata in rule order). When an output replaced the original (same bucket and
 * key), `original` names it, so that `OriginalInfo/ETag` is the output's, as CI answers.
 */
export function picProcessingResult(
  origin: LocationOrigin,
  source: { bucket: string; key: string },
  outcome: PicProcessingOutcome,
  stored: readonly ObjectMeta[],
): PicProcessingResult {
  const result: PicProcessingResult = {
    originalImageInfo: outcome.originalImageInfo,
    processResults: outcome.outputs.map((output, index) => {
      const meta = stored[index];
      return {
        key: meta.key,
        location: objectLocation(meta.bucket, meta.key, origin),
        format: output.format,
        width: output.width,
        height: output.height,
        size: meta.size,
        quality: output.quality,
        etag: meta.etag,
      };
    }),
  };
  const replaced = stored.filter((m) => m.bucket === source.bucket && m.key === source.key).pop();
  if (replaced) result.original = { bucket: replaced.bucket, key: replaced.key, etag: replaced.etag };
  return result;
}

/** Reads a stream whole into memory. */
export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
