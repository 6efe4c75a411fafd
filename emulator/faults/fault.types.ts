import { COS_OPERATIONS, FILES_V2_OPERATION } from '../routing/operations';

/**
 * Operations a fault can be matched on: what is known before a request is served (the COS operations, and
 * `FilesV2` for every files-v2 request, whose `op` is read from its form only later). CORS preflights are
 * answered before faults apply.
 */
export const CI_FAULT_OPERATIONS = [...COS_OPERATIONS, FILES_V2_OPERATION] as const;

/** An operation name as the request log records it (`PutObject`, `UploadPart`, ..., `FilesV2`). */
export type CiFaultOperation = (typeof CI_FAULT_OPERATIONS)[number];

/** Which requests a fault applies to; every field given must match, an empty match takes every request. */
export interface CiFaultMatch {
  /** One operation or several. */
  operation?: CiFaultOperation | CiFaultOperation[];
  /** The object key starts with this (no leading `/`: `uploads/`). */
  keyPrefix?: string;
  /** HTTP method, any case (`PUT`). */
  method?: string;
  /** Bucket (`name-appid`). */
  bucket?: string;
}

/**
 * Adds `ms` of latency. `phase: 'headers'` (the default): the request is served as usual and its answer is held
 * `ms` before the status line goes out. `phase: 'body'`: the headers go out at once, then the body in pieces of
 * `chunkBytes` (default 1024), each after a pause of `ms`.
 */
export interface CiLatencyFault {
  type: 'latency';
  ms: number;
  phase?: 'headers' | 'body';
  chunkBytes?: number;
}

/**
 * Answers a COS XML error (`<Error><Code>`) without serving the request: nothing is processed or stored. The
 * request body is read and dropped first, so the client gets the answer on a healthy connection.
 * @example { type: 'error', status: 503, code: 'SlowDown' }
 */
export interface CiErrorFault {
  type: 'error';
  /** HTTP status, 400-599. */
  status: number;
  /** COS error code (`InternalError`, `SlowDown`, ...). */
  code: string;
  /** Default: a message naming the injected fault. */
  message?: string;
}

/**
 * Resets the connection (TCP RST). `phase: 'request'`: after part of the request body was read (at once for a
 * request without a body), before anything is served. `phase: 'response'`: the request is served, the status
 * line, headers and the first half of the first body chunk go out, then the reset.
 */
export interface CiResetFault {
  type: 'reset';
  phase: 'request' | 'response';
}

/** Reads the request body and never answers: the connection stays open until the client gives up. */
export interface CiStallFault {
  type: 'stall';
}

/** Serves the request as usual (what it stores stays stored), then answers 200 with a broken XML document. */
export interface CiMalformedXmlFault {
  type: 'malformed-xml';
}

/**
 * Serves the request as usual, but its CI processing (`Pic-Operations` on PutObject, CompleteMultipartUpload,
 * ImageProcess and their files-v2 equivalents) takes `ms` longer, so the original and the outputs are committed
 * `ms` later. A client that gives up meanwhile changes nothing: as COS does with a request whose body it
 * received, the emulator finishes it and stores the results (only `close()` ends it first, storing nothing).
 * No effect on a request without processing.
 * @example { type: 'slow-processing', ms: 2000 }
 */
export interface CiSlowProcessingFault {
  type: 'slow-processing';
  ms: number;
}

/** What a fault does to a request it matches. */
export type CiFaultAction =
  CiLatencyFault | CiErrorFault | CiResetFault | CiStallFault | CiMalformedXmlFault | CiSlowProcessingFault;

/** The kind of a fault action. */
export type CiFaultType = CiFaultAction['type'];

/** A fault to inject: the requests it matches, how many of them (`times`), and what it does. */
export interface CiFaultSpec {
  /** Default: every request (admin requests to `/_emulator/` are never matched). */
  match?: CiFaultMatch;
  /** How many matching requests it applies to before it is removed. Default 1; `Infinity` for every one. */
  times?: number;
  action: CiFaultAction;
}

/** A registered fault, as {@link CiEmulatorFaults.list} gives it. */
export interface CiFaultInfo {
  id: string;
  match: CiFaultMatch;
  action: CiFaultAction;
  /** Matching requests it still applies to (`Infinity` for an unlimited fault). */
  remaining: number;
  /** Requests it has applied to so far. */
  hits: number;
}

/**
 * The fault injection of a running emulator (`emulator.faults`). Faults are tried in the order they were added;
 * the first that matches a request applies to it.
 * @example
 * const id = emulator.faults.add({ match: { operation: 'UploadPart' }, times: 2, action: { type: 'error', status: 503, code: 'SlowDown' } });
 */
export interface CiEmulatorFaults {
  /** Registers a fault and returns its id; throws a `TypeError` naming the field at fault when it is invalid. */
  add(fault: CiFaultSpec): string;
  /** Removes one fault; false when there was none with that id. */
  remove(id: string): boolean;
  /** Removes every fault. */
  clear(): void;
  /** The registered faults, in matching order. */
  list(): CiFaultInfo[];
}
