import type { EventEmitter } from 'node:events';
import type { CiEmulatorLogger } from './emulator.options';
import type { CiFaultType } from '../faults/fault.types';
import type { Exchange } from '../http/exchange';
import type { EmulatorApi } from '../routing/operations';

/** How many requests the request log remembers; older ones are dropped. */
export const REQUEST_LOG_LIMIT = 10_000;

/** One served request, as the request log keeps it. */
export interface EmulatorRequestRecord {
  /** Its `x-cos-request-id`. */
  requestId: string;
  /** Which API it spoke: `cos`, `files-v2`. */
  api: EmulatorApi;
  method: string;
  /**
   * Operation (`PutObject`, `UploadPart`, ...), `OptionsObject` for a preflight, the files-v2 `op` it ran
   * (`FilesV2Upload`, ...; `FilesV2` when refused before its form was read), `Unknown` if unrouted.
   */
  operation: string;
  bucket?: string;
  key?: string;
  /** Status answered (or meant to be answered, when the client left first); 0 when a fault gave no answer (stall, reset). */
  status: number;
  /** COS error code of an error answer (`NoSuchKey`, `IncompleteBody`, ...). */
  errorCode?: string;
  durationMs: number;
  time: Date;
  /** The injected fault that applied to this request. */
  fault?: { id: string; type: CiFaultType };
}

/** The last {@link REQUEST_LOG_LIMIT} served requests, oldest first; each is logged and emitted as `request`. */
export class RequestLog {
  readonly records: EmulatorRequestRecord[] = [];

  constructor(
    private readonly events: EventEmitter,
    private readonly logger?: CiEmulatorLogger,
  ) {}

  /** Records a finished exchange (with the fault that applied to it, if any). */
  record(exchange: Exchange, fault?: { id: string; type: CiFaultType }): void {
    const record: EmulatorRequestRecord = {
      requestId: exchange.requestId,
      api: exchange.request?.api ?? 'cos',
      method: exchange.req.method ?? 'GET',
      operation: exchange.operation,
      bucket: exchange.bucket,
      key: exchange.key,
      status: exchange.status ?? exchange.res.statusCode,
      errorCode: exchange.errorCode,
      durationMs: Date.now() - exchange.startedAt,
      time: new Date(exchange.startedAt),
    };
    if (fault) record.fault = fault;
    this.records.push(record);
    if (this.records.length > REQUEST_LOG_LIMIT) this.records.shift();
    const where = record.bucket ? ` ${record.bucket}/${record.key ?? ''}` : '';
    const code = `${record.errorCode ? ` ${record.errorCode}` : ''}${fault ? ` [fault ${fault.type}]` : ''}`;
    this.logger?.log(
      `${record.method} ${record.operation}${where} -> ${record.status}${code} (${record.durationMs} ms)`,
    );
    this.events.emit('request', record);
  }

  /** Forgets every record. */
  clear(): void {
    this.records.length = 0;
  }
}
