import { Readable } from 'node:stream';
import { CiError, CiValidationError } from '../core/errors';
import type { CiObjectResult } from './ci-client.results';
import { ExactLengthBody } from './exact-length-body';
import { PartsProducer, type PartsPlan, type UploadPart } from './parts-producer';
import type { UploadBudget } from './upload-budget';
import { UploadSession, type UploadProgress } from './upload-session';
import { UploadSource, type SourceRate } from './upload-source';
import type { UploadRequestOptions, UploadTarget } from './upload-target';

export type { UploadProgress } from './upload-session';

const MiB = 1024 * 1024;
/** COS's most parts in one multipart upload. */
const MAX_PARTS = 10_000;

/** Tuning of one streaming upload. */
export interface StreamingUploadTuning {
  /** A stream of unknown size up to this size goes in one request. */
  multipartThreshold: number;
  /** Fixed part size; chosen per upload when undefined. */
  partSize?: number;
  partConcurrency: number;
  /** The client's buffer budget, shared with every other upload of the client. */
  budget: UploadBudget;
  /** The slowest a source may send. */
  rate: SourceRate;
}

/**
 * Uploads a source with a Content-Length on every request (CI refuses chunked bodies on the processing path,
 * protocol.md 1.5), the way aws lib-storage's `Upload` reads. Size known (declared, or predicted and checked at
 * the end) and within one request: the source is piped into that request, no copy, no budget. Otherwise a
 * {@link PartsProducer} cuts it into parts under the client's budget and `partConcurrency` senders send them:
 * the first part alone (the source ended inside it) is one request, else a multipart upload that goes on while
 * the source is still arriving. The {@link UploadSession} holds the requests, the progress and the abort.
 * A Buffer array is already in memory: it is sent as is.
 */
export async function streamingUpload(
  target: UploadTarget,
  key: string,
  source: AsyncIterable<Buffer | Uint8Array | string> | readonly Buffer[],
  tuning: StreamingUploadTuning,
  options: UploadRequestOptions & { onProgress?: (p: UploadProgress) => void; predictedSize?: number },
): Promise<CiObjectResult> {
  const { predictedSize } = options;
  // A predicted size (a form's file, as if it were the form's last part) is an upper bound of the file's: a small
  // file is held (that much of the budget at most) and sent in one request whatever follows it in the form; a
  // larger one is piped as if of that size, and fails (SIZE_MISMATCH, nothing stored) when it is not.
  const bound =
    options.size === undefined &&
    predictedSize !== undefined &&
    predictedSize > 0 &&
    predictedSize <= Math.min(tuning.multipartThreshold, tuning.budget.bytes)
      ? predictedSize
      : undefined;
  const size = options.size ?? (bound === undefined ? predictedSize : undefined);
  const session = new UploadSession(target, key, { ...options, size }, options.onProgress);
  const oneRequest = size !== undefined && size > 0 && size <= target.maxSingleBytes;
  let input: UploadSource | undefined;
  try {
    if (Array.isArray(source) && oneRequest) return await session.putSingle(source, size);
    const iterable = Array.isArray(source) ? Readable.from(source) : (source as AsyncIterable<Buffer>);
    input = new UploadSource(iterable, session, tuning.rate);
    if (oneRequest) return await pipeUpload(session, input, size, tuning.budget);
    const plan = planParts(size, tuning, target, bound);
    return await partsUpload(session, new PartsProducer(input, plan, tuning.budget, session), plan, tuning);
  } finally {
    input?.close();
    session.end();
  }
}

/** Pipes the source into one request of `size` bytes (counted in the budget's stats, holding none of it). */
async function pipeUpload(session: UploadSession, input: UploadSource, size: number, budget: UploadBudget) {
  const body = new ExactLengthBody(input, size, session);
  budget.piped++;
  try {
    return await session.putSingle(body, size);
  } catch (err) {
    // The body's own failure (a size mismatch, an abort, a slow source) over what the transport made of it.
    throw body.errored instanceof CiError ? body.errored : err;
  } finally {
    budget.piped--;
  }
}

/**
 * Part sizes: from the size when known (at most 10 000 parts), from the budget otherwise; a source bounded by
 * `bound` reserves only that for its first (and only) part.
 */
function planParts(
  size: number | undefined,
  tuning: StreamingUploadTuning,
  target: UploadTarget,
  bound?: number,
): PartsPlan {
  const budget = tuning.budget.bytes;
  const chosen =
    size !== undefined
      ? Math.max(MiB, Math.ceil(size / MAX_PARTS), Math.floor(budget / (tuning.partConcurrency + 1)))
      : Math.min(8 * MiB, Math.max(MiB, Math.floor(budget / 8)));
  const partSize = Math.min(tuning.partSize ?? chosen, budget);
  if (bound !== undefined) return { firstPartSize: bound, partSize };
  // files-v2 declares the size at init: a stream of unknown size is held whole, then sent in one request.
  if (size === undefined && target.multipartNeedsSize)
    return { firstPartSize: budget, partSize, growFirstBy: Math.min(MiB, budget) };
  const firstPartSize =
    size !== undefined ? partSize : Math.min(budget, Math.max(MiB, tuning.multipartThreshold));
  return { firstPartSize, partSize };
}

/** The first part alone is one request; more parts make a multipart upload. */
async function partsUpload(
  session: UploadSession,
  producer: PartsProducer,
  plan: PartsPlan,
  tuning: StreamingUploadTuning,
): Promise<CiObjectResult> {
  const first = (await producer.next())!;
  if (first.only) {
    try {
      checkSize(session, first.size);
      session.throwIfAborted();
      return await session.putSingle(first.chunks, first.size);
    } finally {
      producer.release(first);
    }
  }
  try {
    await session.initiate(plan.partSize);
    await sendParts(session, producer, first, tuning.partConcurrency);
    checkSize(session, producer.total);
    session.throwIfAborted();
    return await session.complete(producer.total);
  } catch (err) {
    producer.release(first);
    await session.abort();
    throw session.signal.aborted ? session.abortError() : err;
  }
}

/**
 * `concurrency` senders, each taking the next part from the producer (one at a time: it reads the source in
 * order) and sending it, until the source ends. A failed part cuts the session: the others stop.
 */
async function sendParts(
  session: UploadSession,
  producer: PartsProducer,
  first: UploadPart,
  concurrency: number,
): Promise<void> {
  let pending: UploadPart | undefined = first;
  let queue: Promise<unknown> = Promise.resolve();
  const nextPart = (): Promise<UploadPart | undefined> => {
    const part = pending;
    pending = undefined;
    if (part) return Promise.resolve(part);
    const next = queue.then(() => producer.next());
    queue = next.catch(() => undefined);
    return next;
  };
  const sender = async () => {
    for (let part = await nextPart(); part; part = await nextPart()) {
      try {
        await session.uploadPart(part.number, part.offset, part.chunks, part.size);
      } finally {
        producer.release(part);
      }
    }
  };
  const senders = Array.from({ length: concurrency }, () =>
    sender().catch((err: unknown) => {
      session.cut(err);
      throw err;
    }),
  );
  const failed = (await Promise.allSettled(senders)).find((r) => r.status === 'rejected');
  if (failed) throw session.signal.aborted ? session.abortError() : (failed as PromiseRejectedResult).reason;
}

/** A declared size the source did not match fails before anything is committed. */
function checkSize(session: UploadSession, total: number): void {
  const declared = session.declaredSize;
  if (declared === undefined || declared === total) return;
  throw new CiValidationError(
    'SIZE_MISMATCH',
    `The source has ${total} bytes, not the ${declared} declared: nothing was stored: ` +
      `${session.what.method} ${session.what.path}`,
  );
}
