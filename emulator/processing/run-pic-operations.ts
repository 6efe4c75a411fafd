import { createHash } from 'node:crypto';
import { finished } from 'node:stream/promises';
import { checkKey } from '../routing/object-key';
import { type LocationOrigin, objectLocation } from '../routing/location';
import type { ObjectAttributes, ObjectMeta, ObjectStore, StagedBody } from '../storage/object-store';
import { Crc64 } from '../util/crc64';
import type {
  PicOutput,
  PicProcessingOutcome,
  PicProcessingResult,
  PicProcessor,
  PicSourceObject,
  PicTrigger,
} from './pic-processor';

/**
 * One entrance of the `Pic-Operations` sequence (PUT Object, Complete Multipart Upload, `?image_process`, the
 * files-v2 `op`s): what it processes and how its source is read and stored; {@link runPicOperations} does the rest.
 */
export interface PicOperationsEntrance {
  trigger: PicTrigger;
  /** The source's bucket and key: where outputs go unless a rule names another bucket. */
  bucket: string;
  key: string;
  /** The raw `Pic-Operations` header. */
  picOperations: string;
  /** `x-cos-request-id`, for the processor's logs. */
  requestId: string;
  /** The source's size when known before it is read (declared `Content-Length`, parts' total, stored size). */
  sourceSize?: number;
  /**
   * True when the entrance already had the header validated, earlier than this sequence could (files-v2: when
   * the form's file part starts, or at `upload_slice_init`): it is not validated twice.
   */
  validated?: boolean;
  /** Reads the source once the header passed validation: its bytes and the object they are (or will be). */
  readSource(): Promise<{ bytes: Buffer; original: PicSourceObject }>;
  /** The entrance's own refusals of the outputs before anything is staged (a missing bucket, an insert-only key). */
  checkOutputs?(outputs: readonly PicOutput[]): void;
  /**
   * Stores the original once every output is staged and before any is committed (so that an output written to
   * the source's key replaces it); answers the object at the source key. `image_process` stores nothing.
   */
  storeOriginal(bytes: Buffer): Promise<ObjectMeta>;
}

/** What every entrance answers from: the original, the outputs as stored, and the answer's measured result. */
export interface PicOperationsReport {
  /** The original as stored (or, for `image_process`, as it was). */
  original: ObjectMeta;
  /** What the processor returned (before storing). */
  outcome: PicProcessingOutcome;
  /** The outputs as stored, in rule order. */
  outputs: ObjectMeta[];
  /** `OriginalInfo` and `ProcessResults`, measured on what was stored (for `<UploadResult>`). */
  result: PicProcessingResult;
}

/** The processor, the store and where the client addressed the request (for the outputs' `Location`). */
export interface PicOperationsServices {
  processor: PicProcessor;
  store: ObjectStore;
  origin: LocationOrigin;
}

/**
 * The one `Pic-Operations` sequence every entrance runs: validate the header before the source is read; read the
 * source; process it (nothing stored yet); let the entrance refuse outputs; stage every output; store the original;
 * commit the outputs in rule order; report. A failure before the commit stores nothing (staged outputs are dropped).
 *
 * @example
 * const report = await runPicOperations({ trigger: 'PutObject', bucket, key, picOperations, requestId, readSource, storeOriginal }, services);
 */
export async function runPicOperations(
  entrance: PicOperationsEntrance,
  services: PicOperationsServices,
): Promise<PicOperationsReport> {
  const { processor, store, origin } = services;
  const { trigger, bucket, key, picOperations, requestId } = entrance;
  if (!entrance.validated) {
    await processor.validate({ trigger, bucket, key, picOperations, sourceSize: entrance.sourceSize });
  }
  const { bytes, original } = await entrance.readSource();
  const outcome = await processor.process({
    trigger,
    bucket,
    key,
    picOperations,
    sourceSize: bytes.length,
    source: bytes,
    original,
    requestId,
  });
  entrance.checkOutputs?.(outcome.outputs);
  const batch = new StagedObjects(store);
  try {
    for (const output of outcome.outputs) checkKey(output.key);
    for (const output of outcome.outputs) await batch.add(outputAttributes(output), output.body);
    const stored = await entrance.storeOriginal(bytes);
    const outputs = await batch.commit();
    return { original: stored, outcome, outputs, result: measuredResult(origin, stored, outcome, outputs) };
  } catch (error) {
    await batch.discard();
    throw error;
  }
}

/** Stores bytes in memory as an object (staged, then committed): an original the request received whole. */
export async function storeBytes(
  store: ObjectStore,
  attributes: ObjectAttributes,
  bytes: Buffer,
): Promise<ObjectMeta> {
  const batch = new StagedObjects(store);
  await batch.add(attributes, bytes);
  const [meta] = await batch.commit();
  return meta;
}

/**
 * Bodies written to the store's staging area and made visible together by {@link commit}, in the order they were
 * added. Until then nothing is visible; {@link discard} drops them all.
 */
class StagedObjects {
  private readonly items: Array<{ staged: StagedBody; attributes: ObjectAttributes }> = [];

  constructor(private readonly store: ObjectStore) {}

  async add(attributes: ObjectAttributes, body: Buffer): Promise<void> {
    const staged = await this.store.stageBody(attributes.bucket);
    this.items.push({ staged, attributes });
    staged.sink.end(body);
    await finished(staged.sink);
  }

  async commit(): Promise<ObjectMeta[]> {
    const stored: ObjectMeta[] = [];
    for (const { staged, attributes } of this.items.splice(0)) {
      stored.push(await this.store.commitObject(staged, attributes));
    }
    return stored;
  }

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
    etag: `"${createHash('md5').update(output.body).digest('hex')}"`,
    crc64: new Crc64().update(output.body).value,
    contentType: output.contentType,
    headers: {},
  };
}

/**
 * `ImageInfo`, and one `ProcessResults/Object` per output measured on what was stored. When an output replaced the
 * original (same bucket and key), `original` names it, so that `OriginalInfo/ETag` is the output's, as CI answers.
 */
function measuredResult(
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
