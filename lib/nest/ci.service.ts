import { Inject, Injectable } from '@nestjs/common';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import type { CiClient } from '../client';
import type {
  CiObjectHead,
  CiObjectResult,
  CiObjectUrlOptions,
  CiTemporaryCredentials,
  CiTemporaryCredentialsOptions,
} from '../client';
import type { CiImageAverage, CiImageBasicInfo, CiImageExif } from '../core/result';
import { CiValidationError } from '../core/errors';
import type { CiObjectHeaders } from '../core/object';
import { resolveFileId } from '../core/pic-operations';
import { expandFileId, keyParts } from '../core/templates';
import {
  checkObjectKey,
  CiDirectUploads,
  compileProcessing,
  createDirectUploadRoute,
  type CiDirectUploadRoute,
  type CiConfirmExpectationInput,
  type CiDirectUploadProfile,
  type CiTicketRequest,
  type CiUploadTicket,
  isUnknownOutcome,
  resolveObjectHeaders,
  type CiUploader,
  type CiUploadProcessing,
  type CiUploadProgress,
  type CiUploadResult,
  CiUploadTracker,
  type CiKeyStrategy,
  type ResolvedCiModuleOptions,
} from '../upload';
import { CI_CLIENT, CI_RESOLVED_OPTIONS, CI_UPLOADER } from './ci.constants';

/** Options of {@link CiService.process}. */
export interface CiProcessOptions extends CiUploadProcessing {
  /** Allow a rule whose output key is the source key (CI then replaces the original). Default false. */
  overwrite?: boolean;
  /** files-v2: refuse outputs that would replace a file (`insertOnly=1`). Default: the module's `insertOnly`. */
  insertOnly?: boolean;
}

/** Options of {@link CiService.upload}. */
export interface CiServiceUploadOptions extends CiUploadProcessing {
  /** Object key; default: the module's key strategy from the sniffed type. */
  key?: string;
  /** File name to report as `originalName`. Default: the path's base name, or `''`. */
  originalName?: string;
  /** Handed to the module's key strategy as its `req` (when no `key` is given). Default `{}`. */
  request?: object;
  /** Headers stored with the original, over the module's `object` (cos-v5). Default: the module's. */
  object?: CiObjectHeaders;
  /** Refuse to overwrite an existing object (a conflict fails the call). Default: the module's `insertOnly`. */
  insertOnly?: boolean;
  /**
   * Receives throttled progress reports (bytes read, bytes acknowledged by CI, phase, key), the last `done` or
   * `failed`; a throwing listener never breaks the upload. Default: none.
   *
   * @example
   * await ci.upload('big.jpg', { onProgress: (p) => console.log(p.phase, p.bytesSent, '/', p.size) });
   */
  onProgress?: (progress: CiUploadProgress) => void | Promise<void>;
}

/** Options of {@link CiService.createUploadTicket}: an upload profile and what the uploader declares. */
export interface CiCreateUploadTicketOptions extends CiDirectUploadProfile, CiTicketRequest<object> {}

/** Per-call options. */
export interface CiCallSignal {
  /** Aborts the call. */
  signal?: AbortSignal;
}

/**
 * Cloud data processing and the calls around it: process a stored image, upload from a Buffer, stream or path,
 * delete, head, and pre-signed URLs. `client` is the `CiClient` underneath.
 */
@Injectable()
export class CiService {
  constructor(
    /** The `CiClient` underneath, for calls this service does not wrap. */
    @Inject(CI_CLIENT) readonly client: CiClient,
    @Inject(CI_RESOLVED_OPTIONS) private readonly options: ResolvedCiModuleOptions,
    private readonly tracker: CiUploadTracker,
    @Inject(CI_UPLOADER) private readonly uploader: CiUploader,
  ) {
    this.direct = new CiDirectUploads({ client, options, cleaner: uploader.cleaner, tracker });
  }

  /** The direct-upload use case (tickets and confirm), shared with the route helpers. */
  readonly direct: CiDirectUploads;

  private compile(processing: CiUploadProcessing, where: string) {
    const { isPicInfo, styles, strictRules } = this.options;
    return compileProcessing(processing, { isPicInfo, styles, strictRules }, where);
  }

  /**
   * Processes an image already in COS (`POST /<key>?image_process`) and returns CI's typed result. Retried
   * with backoff on 5xx, resets and timeouts. Refuses a rule that would overwrite the source unless
   * `overwrite` is set.
   *
   * @example
   * const { imageInfo } = await ci.process('uploads/a.jpg', { rules: [{ fileid: '{name}-small.webp', style: 'thumb' }] });
   */
  async process(key: string, options: CiProcessOptions, call: CiCallSignal = {}): Promise<CiObjectResult> {
    checkObjectKey(key);
    const compiled = this.compile(options, 'process');
    if (!options.overwrite) {
      const values = { ...keyParts(key), uuid: '', field: '', index: 0 };
      (options.rules ?? []).forEach((r, i) => {
        if (resolveFileId(key, expandFileId(r.fileid, values)) === key) {
          throw new CiValidationError(
            'FILEID_OVERWRITES_SOURCE',
            `rules[${i}].fileid resolves to the source key "${key}": pass overwrite: true to replace the original`,
            { field: `rules[${i}].fileid` },
          );
        }
      });
    }
    const built = compiled.build({ key, field: '', index: 0 });
    // The seed: `is_pic_info` is 0 by default and `rules` may be empty; a request asking for neither asks CI for
    // nothing, so it is refused rather than turned into another request.
    const picOperations = built.picOperations;
    if (picOperations === undefined) {
      throw new CiValidationError(
        'OPTIONS_INVALID',
        'process needs rules or isPicInfo: true (there is nothing to ask CI)',
        { field: 'rules' },
      );
    }
    // A lost answer (reset, timeout) leaves the outputs' fate unknown, even when a retry then fails otherwise.
    let lost = false;
    try {
      return await this.tracker.track(
        (shutdown) =>
          this.client.processObject(key, picOperations, {
            signal: anySignal(shutdown, call.signal),
            insertOnly: options.insertOnly,
            onFailure: (e) => (lost ||= isUnknownOutcome(e)),
          }),
        { method: 'POST', path: '/' + key },
      );
    } catch (err) {
      // CI may have written (or still be writing) the outputs: remove them now and once CI can have finished.
      // The source is the caller's and stays.
      const outputs = built.outputs.filter(
        (o) => o.key !== key || (o.bucket ?? this.client.bucket) !== this.client.bucket,
      );
      if ((lost || isUnknownOutcome(err)) && outputs.length) {
        await this.uploader.cleaner.resolve({ objects: outputs }, (err as Error).message);
      }
      throw err;
    }
  }

  /**
   * Uploads a Buffer, a stream or a file path with processing, exactly as `@CiUpload` does for a request:
   * sniffed type, generated key, streaming with Content-Length on every request; `onProgress` follows it.
   */
  async upload(
    body: Buffer | Readable | string,
    options: CiServiceUploadOptions = {},
    call: CiCallSignal = {},
  ): Promise<CiUploadResult> {
    const processing = this.compile(options, 'upload');
    const headers = resolveObjectHeaders(this.options, options.object, 'upload.object');
    const originalName = options.originalName ?? (typeof body === 'string' ? basename(body) : '');
    // A known size lets files-v2 use slice uploads for large files (cos-v5 does not need it).
    const size = Buffer.isBuffer(body)
      ? body.length
      : typeof body === 'string'
        ? (await stat(body)).size
        : undefined;
    const stream =
      typeof body === 'string'
        ? createReadStream(body)
        : Buffer.isBuffer(body)
          ? Readable.from([body])
          : body;
    try {
      return await this.uploader.upload({
        source: stream,
        field: '',
        index: 0,
        originalName,
        request: options.request ?? {},
        options: { processing, headers, insertOnly: options.insertOnly },
        allowedFormats: this.options.allowedFormats,
        keyStrategy: this.options.keyStrategy as CiKeyStrategy<object> | undefined,
        key: options.key === undefined ? undefined : checkObjectKey(options.key),
        size,
        signal: call.signal,
        onProgress: options.onProgress,
      });
    } finally {
      stream.destroy();
    }
  }

  /**
   * Issues an upload ticket: what a browser or app needs to send one file straight to COS (or the files-v2 API), with
   * processing on upload. The key comes from the module's key strategy, never from the client; the rules are checked
   * as `@CiUpload`'s; the ticket expires after `expiresIn` seconds (default 300). Confirm the upload with
   * {@link confirmUpload} and `ticket.token`.
   *
   * @example
   * const ticket = await ci.createUploadTicket({ contentType: 'image/jpeg', size: 48213,
   *   rules: [{ fileid: '{name}-thumb.webp', style: 'thumb' }] });
   * // the client: fetch(ticket.url, { method: ticket.method, headers: ticket.headers, body: file })
   */
  createUploadTicket(options: CiCreateUploadTicketOptions): Promise<CiUploadTicket> {
    const { contentType, size, originalName, request, ...profile } = options;
    return this.direct.createTicket(this.direct.compile(profile, 'createUploadTicket'), {
      contentType,
      size,
      originalName,
      request,
    });
  }

  /**
   * Confirms a direct upload and returns the same `CiUploadResult` a `@CiUpload` route returns. Takes the ticket or its
   * token (checked: a forged or altered one is refused), or a key with `{ expect }` stated by the server (limits,
   * formats, expected outputs, processing to run). What arrived is checked (HEAD, the first bytes' type, size, each
   * expected output); what breaks the limits is deleted, original and outputs, and answered with the upload routes'
   * errors (404, 413, 415, 422).
   *
   * @example
   * const result = await ci.confirmUpload(body.token);
   * const other = await ci.confirmUpload('uploads/a.jpg', { expect: { outputs: [{ key: 'uploads/a-thumb.webp' }] } });
   */
  async confirmUpload(
    ticketOrKey: CiUploadTicket | string,
    options: { expect?: CiConfirmExpectationInput } = {},
  ): Promise<CiUploadResult> {
    if (!options.expect) return this.direct.confirm(ticketOrKey);
    const key = typeof ticketOrKey === 'string' ? ticketOrKey : ticketOrKey.key;
    return this.direct.confirm(this.direct.expectation(key, options.expect));
  }

  /**
   * Removes direct uploads under `prefix` never confirmed and stored more than `olderThanMs` ago (default: one day),
   * with their expected outputs; only objects a ticket created and confirm did not tag are touched. Returns the keys
   * removed. Run it on a schedule.
   *
   * @example
   * await ci.sweepUnconfirmed('uploads/', 60 * 60 * 1000);
   */
  sweepUnconfirmed(prefix: string, olderThanMs = 24 * 60 * 60 * 1000): Promise<string[]> {
    return this.direct.sweepUnconfirmed(prefix, olderThanMs);
  }

  /**
   * A ticket route and a confirm route for one upload profile, checked now (call it when the controller is built):
   * `ticket(body, req)` takes `{ contentType, size?, originalName? }` from the client, `confirm(body)` takes
   * `{ token }`. Errors are `CiError`s, answered by the module's filter with the upload routes' statuses.
   *
   * @example
   * ;@Controller('avatars')
   * export class AvatarsController {
   *   private readonly direct: CiDirectUploadRoute;
   *   constructor(ci: CiService) {
   *     this.direct = ci.directUploadRoute('avatar', { rules: [{ fileid: '{name}-200.webp', style: 'thumb' }] });
   *   }
   *   ;@Post('ticket') ticket(@Body() body: unknown, @Req() req: Request) { return this.direct.ticket(body, req); }
   *   ;@Post('confirm') confirm(@Body() body: unknown) { return this.direct.confirm(body); }
   * }
   */
  directUploadRoute(name: string, profile: CiDirectUploadProfile = {}): CiDirectUploadRoute {
    return createDirectUploadRoute(this.direct, profile, name);
  }

  /**
   * Temporary credentials for SDK-based clients (mobile apps, mini-programs): STS `GetFederationToken` with a policy
   * allowing only `actions` (default: uploading) under `prefix` of the module's bucket, for `durationSeconds`
   * (default 900).
   *
   * @example
   * const keys = await ci.issueTemporaryCredentials({ prefix: `uploads/${user.id}/` });
   */
  issueTemporaryCredentials(options: CiTemporaryCredentialsOptions): Promise<CiTemporaryCredentials> {
    return this.client.issueTemporaryCredentials(options);
  }

  /**
   * Deletes an object and, when given, its processed outputs: their keys (`processResults[i].key`) or the
   * route's `fileid` templates (`'{name}-200.webp'`, resolved against `key` as CI resolves them). A template
   * with `{uuid}`, `{field}` or `{index}` cannot be derived from the key and is refused. A missing key is not
   * an error.
   *
   * @example
   * await ci.delete(result.key, { outputs: ['{name}-200.webp'] });
   */
  async delete(key: string, options: CiCallSignal & { outputs?: string[] } = {}): Promise<void> {
    const outputs = (options.outputs ?? []).map((o) => (o.includes('{') ? outputKeyOf(key, o) : o));
    await Promise.all([key, ...outputs].map((k) => this.client.deleteObject(k, options)));
  }

  /** Metadata of a stored object; a missing key throws `CiResponseError` (404 `NoSuchKey`). */
  head(key: string, options: CiCallSignal = {}): Promise<CiObjectHead> {
    return this.client.headObject(key, options);
  }

  /**
   * The URL of an object, optionally processed at download time (`process`: a rule, a pipe, or `{ style }`).
   * Signed by default (works on a private bucket, the rule signed with it); plain with `signed: false` or when the
   * module has a `publicDomain`.
   *
   * @example
   * const url = await ci.getUrl(result.key, { process: imageMogr2().thumbnail({ width: 200 }), expiresIn: 600 });
   */
  getUrl(key: string, options: CiObjectUrlOptions = {}): Promise<string> {
    const { process } = options;
    // `{ style }` names a module style (a rule kept server side) when there is one, else a CI console style.
    const moduleStyle =
      process && typeof process === 'object' && 'style' in process
        ? this.options.styles[process.style]
        : undefined;
    return this.client.getObjectUrl(key, moduleStyle ? { ...options, process: moduleStyle } : options);
  }

  /** `?imageInfo` of a stored image: format, dimensions, size, MD5, main colour (numbers typed). */
  imageInfo(key: string, options: CiCallSignal = {}): Promise<CiImageBasicInfo> {
    return this.client.imageInfo(key, options);
  }

  /** `?imageAve` of a stored image: its average colour. */
  imageAve(key: string, options: CiCallSignal = {}): Promise<CiImageAverage> {
    return this.client.imageAve(key, options);
  }

  /** `?exif` of a stored image: its EXIF tags and orientation. */
  exif(key: string, options: CiCallSignal = {}): Promise<CiImageExif> {
    return this.client.exif(key, options);
  }
}

function anySignal(a: AbortSignal, b?: AbortSignal): AbortSignal {
  return b ? AbortSignal.any([a, b]) : a;
}

/** The output key a `fileid` template gives for `key`; templates that need more than the key are refused. */
function outputKeyOf(key: string, template: string): string {
  const unknown = /\{(uuid|field|index)\}/.exec(template);
  if (unknown) {
    throw new CiValidationError(
      'OPTIONS_INVALID',
      `delete outputs: "${template}" uses {${unknown[1]}}, which the key does not give; pass the output's key`,
      { field: 'outputs' },
    );
  }
  const values = { ...keyParts(key), uuid: '', field: '', index: 0 };
  return resolveFileId(key, expandFileId(template, values));
}
