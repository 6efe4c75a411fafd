import { CiAbortError, CiBusyError } from '../core/errors';
import type { CiObjectResult } from './ci-client.results';
import type { UploadBudget } from './upload-budget';
import type { MultipartSession, UploadRequestOptions, UploadTarget } from './upload-target';

/** Tuning of one streaming upload; parts are one budget unit (`budget.unitBytes`, the client's `partSize`). */
export interface StreamingUploadTuning {
  multipartThreshold: number;
  partConcurrency: number;
  /** The client's buffer budget, shared with every other upload of the client. */
  budget: UploadBudget;
}

/** Progress of an upload. */
export interface UploadProgress {
  /** Bytes read from the source so far. */
  bytesRead: number;
  /** Bytes acknowledged by the server so far. */
  bytesSent: number;
  /** True on the one report sent as the multipart Complete (where CI processes the image) goes out. */
  completing?: boolean;
}

/**
 * Sends a stream of unknown length with a Content-Length on every request (CI refuses chunked bodies on the
 * processing path, protocol.md 1.5).
 *
 * Bytes are copied into units of the client's budget as they arrive (a unit is one part); a unit is taken
 * before a byte is read into it, so while the budget is full the source is not read (backpressure). Up to
 * `multipartThreshold` bytes are held, then either sent as one PUT (the stream ended) or turned into the first
 * parts of a multipart upload that goes on while the source is still arriving. At most `partConcurrency` parts
 * are in flight; reading pauses while they are, so one upload holds at most
 * `max(threshold, partConcurrency x partSize) + partSize`, and all of them together at most the budget.
 *
 * Progress is guaranteed: an upload waits for the budget only while every unit it holds is either in flight
 * (the server answers) or being filled from its own source. One that holds full units below the threshold and
 * finds the budget full does not wait holding them: it starts its multipart upload early and sends them.
 * (files-v2 slices need the total size at init: a stream of unknown size is held whole, so it may wait holding
 * units; `budgetWaitMs` bounds that wait.)
 *
 * The signal stops reading and cuts parts in flight (then the multipart upload is aborted). The requests that
 * create something (Initiate, the single PUT, Complete) are never cut mid-flight, so nothing is created that
 * the caller does not hear of: an abort during one of them is acted on once it has answered.
 */
export async function streamingUpload(
  target: UploadTarget,
  key: string,
  source: AsyncIterable<Buffer | Uint8Array | string>,
  tuning: StreamingUploadTuning,
  options: UploadRequestOptions & { onProgress?: (p: UploadProgress) => void },
): Promise<CiObjectResult> {
  const { signal } = options;
  const { budget } = tuning;
  const unitBytes = budget.unitBytes;
  const what = { method: 'PUT', path: '/' + key };
  /** Full units not sent yet (below the threshold: the whole file so far). */
  const full: Buffer[] = [];
  /** The unit being filled, and how many bytes it holds. */
  let current: Buffer | undefined;
  let fill = 0;
  let bytesRead = 0;
  let bytesSent = 0;
  let session: MultipartSession | undefined;
  let nextPart = 1;
  let nextOffset = 0;
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  // A protocol that must declare the size up front cannot go multipart on a stream of unknown length: it then
  // holds the file and sends one request.
  const canSplit = !target.multipartNeedsSize || options.size !== undefined;

  const report = () => options.onProgress?.({ bytesRead, bytesSent });
  const abortError = () =>
    signal?.reason instanceof Error && signal.reason.name.startsWith('Ci')
      ? signal.reason
      : new CiAbortError(what, { cause: signal?.reason });

  const startPart = (unit: Buffer, size: number) => {
    const s = session!;
    const partNumber = nextPart++;
    const offset = nextOffset;
    nextOffset += size;
    let ok = false;
    const p: Promise<void> = s
      .uploadPart(partNumber, offset, [size === unitBytes ? unit : unit.subarray(0, size)], size)
      .then(() => {
        ok = true;
        bytesSent += size;
        report();
      })
      .catch((err: unknown) => {
        failure ??= err;
      })
      .finally(() => {
        inFlight.delete(p);
        budget.release(unit, ok);
      });
    inFlight.add(p);
  };

  /** Sends the full units as parts, each once a slot is free. */
  const sendFull = async () => {
    while (full.length) {
      while (inFlight.size >= tuning.partConcurrency) await Promise.race(inFlight);
      if (failure) throw failure;
      startPart(full.shift()!, unitBytes);
    }
  };

  const openSession = async () => {
    session = await target.openMultipart(key, { ...options, partSize: unitBytes });
    if (signal?.aborted) throw abortError();
  };

  /** The next unit to read into; waits for the budget only in a state that cannot block other uploads. */
  const nextUnit = async (): Promise<Buffer> => {
    if (!session && full.length) {
      const now = budget.tryAcquire();
      if (now) return now;
      if (canSplit) {
        await openSession();
        await sendFull();
      } else if (full.length >= budget.units) {
        throw new CiBusyError(
          'BUDGET_TOO_SMALL',
          `A stream of unknown size larger than the upload budget (upload.maxBufferedBytes, ${budget.bytes} ` +
            `bytes) cannot be held whole for files-v2: give its size, or raise the budget: ${what.method} ${what.path}`,
          budget.bytes,
        );
      }
    }
    return budget.acquire(signal, what);
  };

  try {
    for await (const raw of source) {
      if (signal?.aborted) throw abortError();
      if (failure) throw failure;
      const chunk =
        typeof raw === 'string' ? Buffer.from(raw) : Buffer.isBuffer(raw) ? raw : Buffer.from(raw);
      for (let at = 0; at < chunk.length;) {
        current ??= await nextUnit();
        const copied = chunk.copy(current, fill, at);
        fill += copied;
        at += copied;
        bytesRead += copied;
        if (fill === unitBytes) {
          full.push(current);
          current = undefined;
          fill = 0;
        }
        if (!session && canSplit && bytesRead > tuning.multipartThreshold) await openSession();
        if (session && full.length) await sendFull();
      }
      report();
    }
    if (signal?.aborted) throw abortError();
    if (!session) {
      // Not cut off mid-flight (the object may be stored and processed by then): an abort that arrives now
      // lets it finish, and the caller gets the result.
      const units = full.splice(0);
      const tail = current;
      current = undefined;
      let ok = false;
      try {
        const chunks = tail ? [...units, tail.subarray(0, fill)] : units;
        const result = await target.putSingle(key, chunks, bytesRead, { ...options, signal: undefined });
        ok = true;
        bytesSent = bytesRead;
        report();
        return result;
      } finally {
        for (const unit of units) budget.release(unit, ok);
        if (tail) budget.release(tail, ok);
      }
    }
    await sendFull();
    if (current) {
      while (inFlight.size >= tuning.partConcurrency) await Promise.race(inFlight);
      if (failure) throw failure;
      const last = current;
      current = undefined;
      startPart(last, fill);
    }
    await Promise.all(inFlight);
    if (failure) throw failure;
    options.onProgress?.({ bytesRead, bytesSent, completing: true });
    return await session.complete(bytesRead);
  } catch (err) {
    failure ??= err;
    // Leaving the loop ends the source's iterator (a Readable's default iterator destroys it). Wait for parts
    // in flight to settle, then drop the upload server-side.
    await Promise.allSettled(inFlight);
    if (session) await session.abort();
    throw signal?.aborted ? abortError() : failure;
  } finally {
    if (current) budget.release(current);
    for (const unit of full.splice(0)) budget.release(unit);
  }
}
