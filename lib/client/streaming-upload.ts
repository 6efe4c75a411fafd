import { CiAbortError } from '../core/errors';
import type { CiObjectResult } from './ci-client.results';
import type { MultipartSession, UploadRequestOptions, UploadTarget } from './upload-target';

/** Tuning of one streaming upload. */
export interface StreamingUploadTuning {
  multipartThreshold: number;
  partSize: number;
  partConcurrency: number;
}

/** Progress of an upload. */
export interface UploadProgress {
  /** Bytes read from the source so far. */
  bytesRead: number;
  /** Bytes acknowledged by the server so far. */
  bytesSent: number;
}

/**
 * Sends a stream of unknown length with a Content-Length on every request (CI refuses chunked bodies on the
 * processing path, protocol.md 1.5).
 *
 * Up to `multipartThreshold` bytes are held, then either sent as one PUT (the stream ended) or turned into the
 * first parts of a multipart upload that goes on while the source is still arriving. At most `partConcurrency`
 * parts are in flight; reading pauses while they are, so memory stays within
 * `max(threshold, partConcurrency x partSize) + partSize` whatever the size of the file.
 *
 * The signal stops reading and cuts parts in flight (then the multipart upload is aborted). The requests that
 * create something (Initiate, the single PUT, Complete) are never cut mid-flight, so nothing is created that
 * the caller does not hear of: an abort during one of them is acted on once it has answered. (files-v2 slices
 * need the total size at init: for a stream of unknown size it holds the whole file, up to the caller's limit.)
 */
export async function streamingUpload(
  target: UploadTarget,
  key: string,
  source: AsyncIterable<Buffer | Uint8Array | string>,
  tuning: StreamingUploadTuning,
  options: UploadRequestOptions & { onProgress?: (p: UploadProgress) => void },
): Promise<CiObjectResult> {
  const { signal } = options;
  let held: Buffer[] = [];
  let heldBytes = 0;
  let bytesRead = 0;
  let bytesSent = 0;
  let session: MultipartSession | undefined;
  let nextPart = 1;
  let nextOffset = 0;
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;

  const report = () => options.onProgress?.({ bytesRead, bytesSent });
  const abortError = () =>
    signal?.reason instanceof Error && signal.reason.name.startsWith('Ci')
      ? signal.reason
      : new CiAbortError({ method: 'PUT', path: '/' + key }, { cause: signal?.reason });

  const startPart = (chunks: Buffer[], size: number) => {
    const s = session!;
    const partNumber = nextPart++;
    const offset = nextOffset;
    nextOffset += size;
    const p: Promise<void> = s
      .uploadPart(partNumber, offset, chunks, size)
      .then(() => {
        bytesSent += size;
        report();
      })
      .catch((err: unknown) => {
        failure ??= err;
      })
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  };

  // Cuts whole parts off the held chunks, leaving the remainder held. A part is cut only once a slot is free,
  // and copied into one Buffer: the source's small chunks then die young (cheap to collect) instead of living
  // until their part is acknowledged, and the socket gets one write per part.
  const cutParts = async (final: boolean) => {
    while (heldBytes >= tuning.partSize || (final && heldBytes > 0)) {
      while (inFlight.size >= tuning.partConcurrency) await Promise.race(inFlight);
      if (failure) throw failure;
      const size = Math.min(tuning.partSize, heldBytes);
      const part = Buffer.allocUnsafe(size);
      let filled = 0;
      while (filled < size) {
        const head = held[0]!;
        const take = Math.min(head.length, size - filled);
        head.copy(part, filled, 0, take);
        filled += take;
        if (take === head.length) held.shift();
        else held[0] = head.subarray(take);
      }
      heldBytes -= size;
      startPart([part], size);
    }
  };

  try {
    for await (const raw of source) {
      if (signal?.aborted) throw abortError();
      if (failure) throw failure;
      const chunk =
        typeof raw === 'string' ? Buffer.from(raw) : Buffer.isBuffer(raw) ? raw : Buffer.from(raw);
      if (chunk.length === 0) continue;
      held.push(chunk);
      heldBytes += chunk.length;
      bytesRead += chunk.length;
      report();
      // A protocol that must declare the size up front cannot go multipart on a stream of unknown length: it
      // then holds the file and sends one request.
      const canSplit = !target.multipartNeedsSize || options.size !== undefined;
      if (!session && canSplit && bytesRead > tuning.multipartThreshold) {
        session = await target.openMultipart(key, { ...options, partSize: tuning.partSize });
        if (signal?.aborted) throw abortError();
      }
      if (session) await cutParts(false);
    }
    if (signal?.aborted) throw abortError();
    if (!session) {
      // Not cut off mid-flight (the object may be stored and processed by then): an abort that arrives now
      // lets it finish, and the caller gets the result.
      const result = await target.putSingle(key, held, heldBytes, { ...options, signal: undefined });
      held = [];
      bytesSent = heldBytes;
      report();
      return result;
    }
    await cutParts(true);
    await Promise.all(inFlight);
    if (failure) throw failure;
    return await session.complete(bytesRead);
  } catch (err) {
    failure ??= err;
    // Leaving the loop ends the source's iterator (a Readable's default iterator destroys it). Wait for parts
    // in flight to settle, then drop the upload server-side.
    await Promise.allSettled(inFlight);
    if (session) await session.abort();
    throw signal?.aborted ? abortError() : failure;
  }
}
