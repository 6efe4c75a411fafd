/**
 * Where one file stands, in order:
 * - `receiving`: the file is arriving from the client (a large file's parts already go to CI meanwhile);
 * - `uploading`: the whole file was received; its last bytes are on the way to CI (a small file is stored and
 *   processed by CI in this one request, so it goes from here to `done`);
 * - `processing`: every byte was acknowledged; CI is processing the image (the multipart Complete that
 *   carries `Pic-Operations` is in flight);
 * - `done`: stored and processed (`key` is final);
 * - `failed`: refused or failed (`error` says why); what was stored is removed.
 */
export type CiUploadPhase = 'receiving' | 'uploading' | 'processing' | 'done' | 'failed';

/** Why a file failed, as the client is told (the same status and message as the HTTP error answer). */
export interface CiUploadProgressError {
  /** The HTTP status of the error answer (500 for an error the module does not know). */
  statusCode: number;
  /** The stable `code` of the `CiError` (`NOT_AN_IMAGE`, `CI_ABORTED`, ...), or `UNKNOWN`. */
  code: string;
  /** The client-facing message (never a secret). */
  message: string;
  /** CI request id, when CI answered. */
  requestId?: string;
}

/** One progress report of one file (a fresh object each time: keep it, send it, serialize it). */
export interface CiUploadProgress {
  /** Where the file stands. */
  phase: CiUploadPhase;
  /** Form field the file came in (`''` for `CiService.upload`). */
  fieldname: string;
  /** The client's file name, informative only. */
  originalName: string;
  /** The object key, once the file is named (after its type is sniffed from the first bytes). */
  key?: string;
  /** Bytes received from the client (or read from the `CiService.upload` body) so far. */
  bytesReceived: number;
  /** Bytes acknowledged by CI so far (a multipart upload's parts as they are stored, a single PUT at once). */
  bytesSent: number;
  /** Total size, when known before the end (`CiService.upload` of a Buffer or path); a form's file has none. */
  size?: number;
  /** Set in the `failed` phase. */
  error?: CiUploadProgressError;
}

/**
 * Receives the progress of every file of a route: `req` is the platform's request (Express `Request`,
 * `FastifyRequest`). Reports are throttled (one per {@link CI_PROGRESS_STEP} bytes at most, plus each phase
 * change); the last is always `done` or `failed`. A listener that throws (or rejects) never breaks the upload:
 * the first error of an upload is logged as a warning, later ones are ignored.
 */
export type CiUploadProgressListener<TRequest = never> = {
  // A method signature keeps the parameter bivariant, so `(p, req: Request) => ...` fits every platform.
  listener(progress: CiUploadProgress, req: TRequest): void | Promise<void>;
}['listener'];

/** Byte step of progress reports: a counter must move this much for a report between phase changes. 256 KiB. */
export const CI_PROGRESS_STEP = 256 * 1024;
