import { setTimeout as sleep } from 'node:timers/promises';
import { CosHttpError } from '../errors/cos-http.error';
import type { PicProcessingOutcome, PicProcessingRequest, PicProcessor } from '../processing/pic-processor';

/**
 * The `slow-processing` faults in effect: the extra processing time of each request that got one, by request id.
 * The delay is taken when CI processing starts and deliberately not cut short when the client leaves: like COS,
 * the emulator finishes (and commits) a request whose body it received. Only {@link close} ends a pending delay.
 * @example
 * const delays = new ProcessingDelays();
 * const processor = delays.wrap(createCiPicProcessor(...));
 * delays.hold(exchange.requestId, 2_000, res); // that request's processing now takes 2 s longer
 */
export class ProcessingDelays {
  private readonly pending = new Map<string, number>();
  private readonly closed = new AbortController();

  /** Makes the CI processing of request `requestId` take `ms` longer; forgotten when `res` closes unprocessed. */
  hold(requestId: string, ms: number, res: NodeJS.EventEmitter): void {
    this.pending.set(requestId, ms);
    // A request refused before processing (or never reaching it) must not leave its entry behind.
    res.once('close', () => this.pending.delete(requestId));
  }

  /** `processor` with the held delays applied before `process`. */
  wrap(processor: PicProcessor): PicProcessor {
    return {
      validate: (request) => processor.validate(request),
      process: async (request: PicProcessingRequest): Promise<PicProcessingOutcome> => {
        await this.delay(request.requestId);
        return processor.process(request);
      },
      ...(processor.download && { download: processor.download.bind(processor) }),
      ...(processor.hasStyle && { hasStyle: processor.hasStyle.bind(processor) }),
    };
  }

  /** Ends every pending delay: the requests waiting on one fail 503 (the emulator is shutting down). */
  close(): void {
    this.closed.abort();
  }

  private async delay(requestId: string): Promise<void> {
    const ms = this.pending.get(requestId);
    if (ms === undefined) return;
    this.pending.delete(requestId);
    try {
      await sleep(ms, undefined, { signal: this.closed.signal });
    } catch (cause) {
      throw new CosHttpError(503, 'ServiceUnavailable', 'The emulator is shutting down.', { cause });
    }
  }
}
