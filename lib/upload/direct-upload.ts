import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { CiClient, CiObjectResult, CiSignedUpload, CiUploadTicketKind } from '../client';
import { CiMediaError, CiValidationError, isCiResponseError } from '../core/errors';
import { imageTypeOfMime, sniffImageType, SNIFF_BYTES, type CiImageFormat } from '../core/media';
import type { CiObjectHeaders } from '../core/object';
import type { CiImageInfo, CiProcessResult } from '../core/result';
import type { CiLeftoverCleaner, CiObjectRef } from './leftover-cleaner';
import type { CiUploadTracker } from './upload.tracker';
import { checkObjectKey, defaultObjectKey } from './object-key';
import { resolveObjectHeaders } from './object-headers.resolver';
import { compileProcessing, type CompiledProcessing } from './processing.compiler';
import type { ResolvedCiModuleOptions } from './upload-options.validation';
import type { CiKeyStrategy, CiUploadProcessing } from './upload.options';
import { toCiUploadResult, type CiUploadResult } from './upload.result';

/**
 * The marks of a direct upload (cos-v5): the ticket stores the object with `x-cos-meta-ci-ticket: pending` and its
 * expected outputs (signed or bound by the policy, so the uploader cannot drop them); confirm tags it
 * `ci-upload=confirmed`. `sweepUnconfirmed` removes only objects that carry the first mark and lack the second, so it
 * never touches an object the module did not create.
 */
const TICKET_META = 'ci-ticket';
const OUTPUTS_META = 'ci-outputs';
const CONFIRMED_TAG = { key: 'ci-upload', value: 'confirmed' } as const;

/** Default validity of an upload ticket: 5 minutes. */
export const CI_DEFAULT_TICKET_TTL_SECONDS = 300;

/** An upload profile: what one kind of direct upload may be (rules, limits, naming, headers, ticket kind). */
export interface CiDirectUploadProfile extends CiUploadProcessing {
  /**
   * How the file travels. Default: `'files-v2'` when the module speaks files-v2, else `'put'` (a pre-signed PUT:
   * the only cos-v5 kind that processes on upload).
   */
  kind?: CiUploadTicketKind;
  /** Largest file in bytes; at most the module's `limits.fileSize` (the default). */
  maxSize?: number;
  /** Formats accepted; a subset of the module's `allowedFormats` (the default). */
  allowedFormats?: CiImageFormat[];
  /** Names the object (the client never does). Default: the module's key strategy. */
  key?: CiKeyStrategy;
  /** Headers stored with the original, over the module's `object` (cos-v5). */
  object?: CiObjectHeaders;
  /** Ticket validity in seconds. Default 300. */
  expiresIn?: number;
}

/** A profile checked once: rules compiled, limits merged with the module's. */
export interface CompiledDirectProfile {
  kind: CiUploadTicketKind;
  maxSize: number;
  allowedFormats: readonly CiImageFormat[];
  keyStrategy?: CiKeyStrategy<unknown>;
  objectHeaders: Record<string, string>;
  expiresIn: number;
  processing: CompiledProcessing;
}

/** What the uploader declares when asking for a ticket. */
export interface CiTicketRequest<TRequest = unknown> {
  /** MIME type of the file (`image/jpeg`): must be an allowed image type; the object is stored with it. */
  contentType: string;
  /** Exact size in bytes. Required for `put` tickets (the size is signed); checked against `maxSize`. */
  size?: number;
  /** The file's name, informative only (reported as `originalName`). Default `''`. */
  originalName?: string;
  /** Handed to the key strategy as its `req`. Default `{}`. */
  request?: TRequest;
}

/** What a browser or app needs to upload one file directly, and the token to confirm it with. */
export interface CiUploadTicket extends CiSignedUpload {
  /** The object key (the server's choice). */
  key: string;
  /** Bucket as `<name>-<appid>`. */
  bucket: string;
  /** The objects the processing rules will write: each key and its bucket (a rule's `bucket`, else the ticket's). */
  outputs: Array<{ key: string; bucket: string }>;
  /** Largest accepted size. */
  maxSize: number;
  /** Opaque, tamper-proof: hand it back to `confirmUpload`. */
  token: string;
}

/** What confirm checks a stored upload against. */
export interface CiConfirmExpectation {
  /** The object key. */
  key: string;
  /** How it was uploaded (`files-v2` uploads are not tagged as confirmed). */
  kind: CiUploadTicketKind;
  /** Declared content type: the bytes must be this type. Omitted: any of `allowedFormats`. */
  contentType?: string;
  /** Largest accepted size. */
  maxSize: number;
  /** Formats accepted by their bytes. */
  allowedFormats: readonly CiImageFormat[];
  /** Outputs that must exist (their info goes into the result); a `bucket` absent is the client's. */
  outputs: readonly CiObjectRef[];
  /** Processing to run at confirm time (`post` tickets: COS does not process POST Object uploads). */
  picOperations?: string;
  /** Reported as `originalName`. */
  originalName: string;
}

/** What a server states about an upload it confirms by key (see `CiDirectUploads.expectation`). */
export type CiConfirmExpectationInput = Partial<Omit<CiConfirmExpectation, 'key'>>;

/** The token's payload: an expectation and until when it may be confirmed. */
interface TicketPayload extends CiConfirmExpectation {
  /** Confirmable until (ms since epoch): the ticket's expiry plus the grace of {@link CONFIRM_GRACE_MS}. */
  until: number;
}

/** How long after a ticket expired its upload may still be confirmed (an upload that started in time). */
const CONFIRM_GRACE_MS = 60 * 60 * 1000;

/** What the direct-upload use case needs. */
export interface CiDirectUploadsConfig {
  client: CiClient;
  options: ResolvedCiModuleOptions;
  /** Removes what a refused upload left (original and outputs). */
  cleaner: CiLeftoverCleaner;
  /** Confirmations run under it (shutdown aborts them). */
  tracker: CiUploadTracker;
  /**
   * Key of the ticket tokens' HMAC. Default: derived from the module's static SecretKey (so every instance sharing
   * it accepts the others' tokens), or random per process with a credentials provider.
   */
  ticketSecret?: string;
}

function base64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

/**
 * The direct-upload use case: tickets (the key, rules and limits chosen server side; the client signs) and confirm
 * (HEAD, a ranged GET for the magic bytes, image info, the expected outputs), which returns the same
 * `CiUploadResult` as a proxied upload or removes everything and throws the upload routes' errors.
 *
 * @example
 * const profile = direct.compile({ rules: [{ fileid: '{name}-thumb.webp', style: 'thumb' }] }, 'avatar');
 * const ticket = await direct.createTicket(profile, { contentType: 'image/jpeg', size: 48213 });
 * // ... the browser uploads with ticket.url / headers / fields ...
 * const result = await direct.confirm(ticket.token);
 */
export class CiDirectUploads {
  private readonly secret: Buffer;

  constructor(private readonly config: CiDirectUploadsConfig) {
    const credentials = config.options.credentials;
    const base =
      config.ticketSecret ?? (typeof credentials === 'function' ? undefined : credentials.secretKey);
    this.secret = base
      ? createHmac('sha256', base).update('nestjs-tencent-ci upload ticket').digest()
      : randomBytes(32);
  }

  /** Checks a profile once (rules as `@CiUpload` checks them); a bad one throws `CiValidationError` naming `where`. */
  compile(profile: CiDirectUploadProfile, where: string): CompiledDirectProfile {
    const { options } = this.config;
    const kind = profile.kind ?? (options.protocol === 'files-v2' ? 'files-v2' : 'put');
    if (!['put', 'post', 'files-v2'].includes(kind)) {
      throw new CiValidationError('OPTIONS_INVALID', `${where}.kind must be 'put', 'post' or 'files-v2'`, {
        field: `${where}.kind`,
      });
    }
    if ((kind === 'files-v2') !== (options.protocol === 'files-v2')) {
      throw new CiValidationError(
        'OPTIONS_INVALID',
        `${where}.kind '${kind}' does not fit the module's protocol '${options.protocol ?? 'cos-v5'}'`,
        { field: `${where}.kind` },
      );
    }
    const { isPicInfo, styles, strictRules } = options;
    return {
      kind,
      maxSize: Math.min(profile.maxSize ?? Infinity, options.limits.fileSize),
      allowedFormats: profile.allowedFormats
        ? profile.allowedFormats.filter((f) => options.allowedFormats.includes(f))
        : options.allowedFormats,
      keyStrategy: (profile.key ?? options.keyStrategy) as CiKeyStrategy<unknown> | undefined,
      objectHeaders: resolveObjectHeaders(options, profile.object, `${where}.object`),
      expiresIn: profile.expiresIn ?? CI_DEFAULT_TICKET_TTL_SECONDS,
      processing: compileProcessing(profile, { isPicInfo, styles, strictRules }, where),
    };
  }

  /**
   * Issues a ticket for one file: refuses a type that is not allowed (415), a declared size over the limit (413) or a
   * `put` ticket without a size (400); names the object; expands the rules' `fileid`s; signs.
   */
  async createTicket<TRequest>(
    profile: CompiledDirectProfile,
    input: CiTicketRequest<TRequest>,
  ): Promise<CiUploadTicket> {
    const type = imageTypeOfMime(String(input.contentType ?? ''));
    if (!type || !profile.allowedFormats.includes(type.format)) {
      throw new CiMediaError(
        'FORMAT_NOT_ALLOWED',
        `Content type ${String(input.contentType)} is not allowed here (allowed: ${profile.allowedFormats.join(', ')})`,
      );
    }
    if (input.size !== undefined && (!Number.isSafeInteger(input.size) || input.size < 1)) {
      throw new CiValidationError('OPTIONS_INVALID', 'size must be a positive integer', { field: 'size' });
    }
    if (input.size !== undefined && input.size > profile.maxSize) {
      throw new CiMediaError(
        'FILE_TOO_LARGE',
        `File too large: ${input.size} bytes, at most ${profile.maxSize}`,
      );
    }
    if (profile.kind === 'put' && input.size === undefined) {
      throw new CiValidationError('OPTIONS_INVALID', 'a put ticket needs the exact size of the file', {
        field: 'size',
      });
    }
    const originalName = input.originalName ?? '';
    const context = { fieldname: '', originalname: originalName, mimetype: type.mimetype, ext: type.ext };
    const key = checkObjectKey(
      profile.keyStrategy
        ? await profile.keyStrategy(input.request ?? {}, context)
        : defaultObjectKey(this.config.options.keyPrefix, context),
    );
    const built = profile.processing.build({ key, field: '', index: 0 });
    // files-v2 stores no object headers: its uploads carry no marks (and are not swept).
    const marks: Record<string, string> =
      profile.kind === 'files-v2'
        ? {}
        : {
            [`x-cos-meta-${TICKET_META}`]: 'pending',
            [`x-cos-meta-${OUTPUTS_META}`]: encodeOutputs(built.outputs),
          };
    const signed = await this.config.client.signUpload(key, {
      kind: profile.kind,
      contentType: type.mimetype,
      size: input.size,
      maxSize: profile.maxSize,
      picOperations: built.picOperations,
      headers: { ...profile.objectHeaders, ...marks },
      expiresIn: profile.expiresIn,
    });
    const token = this.seal({
      key,
      kind: profile.kind,
      contentType: type.mimetype,
      maxSize: profile.maxSize,
      allowedFormats: profile.allowedFormats,
      outputs: built.outputs,
      picOperations: profile.kind === 'post' ? built.picOperations : undefined,
      originalName,
      until: signed.expiresAt + CONFIRM_GRACE_MS,
    });
    return {
      ...signed,
      key,
      bucket: this.config.client.bucket,
      outputs: built.outputs.map((o) => ({ key: o.key, bucket: o.bucket ?? this.config.client.bucket })),
      maxSize: profile.maxSize,
      token,
    };
  }

  /**
   * An expectation for an upload the server confirms by key (no token): the module's limits and formats unless
   * `input` narrows them, no outputs unless listed, `put` (processed on upload) unless said.
   */
  expectation(key: string, input: CiConfirmExpectationInput = {}): CiConfirmExpectation {
    const { options } = this.config;
    return {
      kind: options.protocol === 'files-v2' ? 'files-v2' : 'put',
      maxSize: options.limits.fileSize,
      allowedFormats: options.allowedFormats,
      outputs: [],
      originalName: '',
      ...input,
      key: checkObjectKey(key),
    };
  }

  /** Reads a ticket token back; a forged, altered or stale one is refused (400). */
  open(token: string): CiConfirmExpectation {
    const [body, mac] = String(token ?? '').split('.');
    const expected = body ? createHmac('sha256', this.secret).update(body).digest() : undefined;
    const given = Buffer.from(mac ?? '', 'base64url');
    if (!expected || given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new CiValidationError('OPTIONS_INVALID', 'The upload ticket is not valid', { field: 'token' });
    }
    const { until, ...expectation } = JSON.parse(
      Buffer.from(body!, 'base64url').toString('utf8'),
    ) as TicketPayload;
    if (until < Date.now()) {
      throw new CiValidationError('OPTIONS_INVALID', 'The upload ticket is too old to confirm', {
        field: 'token',
      });
    }
    return expectation;
  }

  /**
   * Confirms an upload from its ticket, its token (checked: a forged or altered one is refused) or an expectation
   * the server built itself. Checks what arrived and returns its `CiUploadResult`: HEAD (404 when nothing arrived),
   * size, the type by its first bytes (and that it is the declared one), processing (run now for a `post` ticket),
   * each expected output's presence and info. Whatever breaks the limits is removed, original and outputs, and
   * thrown as the upload routes' errors (413, 415, 422).
   */
  async confirm(
    ticket: string | Pick<CiUploadTicket, 'token'> | CiConfirmExpectation,
  ): Promise<CiUploadResult> {
    const expect =
      typeof ticket === 'string' ? this.open(ticket) : 'token' in ticket ? this.open(ticket.token) : ticket;
    return this.config.tracker.track(() => this.check(expect), { method: 'HEAD', path: '/' + expect.key });
  }

  private async check(expect: CiConfirmExpectation): Promise<CiUploadResult> {
    const { client } = this.config;
    const all = [{ key: expect.key }, ...expect.outputs];
    const refuse = async (error: Error): Promise<never> => {
      await this.config.cleaner.remove(all);
      throw error;
    };
    let head;
    try {
      head = await client.headObject(expect.key);
    } catch (err) {
      if (isCiResponseError(err) && err.statusCode === 404) await this.config.cleaner.remove(expect.outputs);
      throw err;
    }
    if (head.size > expect.maxSize) {
      return refuse(
        new CiMediaError('FILE_TOO_LARGE', `File too large: ${head.size} bytes, at most ${expect.maxSize}`),
      );
    }
    const sniffed = await sniffImageType(await this.firstBytes(expect.key));
    if (!sniffed) {
      return refuse(new CiMediaError('NOT_AN_IMAGE', 'The file is not an image (checked from its bytes)'));
    }
    const declared = expect.contentType ?? sniffed.mimetype;
    if (!expect.allowedFormats.includes(sniffed.format) || sniffed.mimetype !== declared) {
      return refuse(
        new CiMediaError(
          'FORMAT_NOT_ALLOWED',
          `The file is ${sniffed.format} by its bytes; expected ${expect.contentType ?? expect.allowedFormats.join(', ')}`,
        ),
      );
    }
    let stored: CiObjectResult;
    if (expect.picOperations) {
      // POST Object does not process on upload (COS documents no Pic-Operations field): process now.
      try {
        stored = await client.processObject(expect.key, expect.picOperations);
      } catch (err) {
        return refuse(err as Error);
      }
      stored = { ...stored, size: head.size, etag: head.etag };
    } else {
      const imageInfo = await this.collectInfo(expect);
      if (!imageInfo) {
        return refuse(
          new CiMediaError('OUTPUTS_MISSING', 'The upload is missing processed outputs its ticket asked for'),
        );
      }
      stored = {
        key: expect.key,
        bucket: client.bucket,
        size: head.size,
        etag: head.etag,
        requestId: head.requestId,
        imageInfo,
      };
    }
    if (expect.kind !== 'files-v2') {
      const tags = await client.getObjectTagging(expect.key);
      await client.putObjectTagging(expect.key, { ...tags, [CONFIRMED_TAG.key]: CONFIRMED_TAG.value });
    }
    return toCiUploadResult(stored, {
      fieldname: '',
      mimetype: sniffed.mimetype,
      originalName: expect.originalName,
    });
  }

  /**
   * Removes the direct uploads under `prefix` that were never confirmed and were stored more than `olderThanMs` ago,
   * with their expected outputs: only objects a ticket marked (`x-cos-meta-ci-ticket: pending`) and confirm did not
   * tag. Returns the originals removed. cos-v5 tickets only (files-v2 stores no marks).
   */
  async sweepUnconfirmed(prefix: string, olderThanMs: number): Promise<string[]> {
    const { client } = this.config;
    const before = Date.now() - olderThanMs;
    const swept: string[] = [];
    for await (const object of client.listObjects(prefix)) {
      if (!object.lastModified || object.lastModified.getTime() > before) continue;
      let head;
      try {
        head = await client.headObject(object.key);
      } catch (err) {
        if (isCiResponseError(err) && err.statusCode === 404) continue;
        throw err;
      }
      if (head.metadata[TICKET_META] !== 'pending') continue;
      const tags = await client.getObjectTagging(object.key);
      if (tags[CONFIRMED_TAG.key] === CONFIRMED_TAG.value) continue;
      await this.config.cleaner.remove([{ key: object.key }, ...decodeOutputs(head.metadata[OUTPUTS_META])]);
      swept.push(object.key);
    }
    return swept;
  }

  private seal(payload: TicketPayload): string {
    const body = base64url(JSON.stringify(payload));
    return `${body}.${base64url(createHmac('sha256', this.secret).update(body).digest())}`;
  }

  private async firstBytes(key: string): Promise<Buffer> {
    const download = await this.config.client.getObject(key, { range: `bytes=0-${SNIFF_BYTES - 1}` });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of download.body) {
      chunks.push(chunk as Buffer);
      size += (chunk as Buffer).length;
      // A server that ignored the range: stop reading past what the sniffer needs.
      if (size >= SNIFF_BYTES) break;
    }
    download.body.destroy();
    return Buffer.concat(chunks).subarray(0, SNIFF_BYTES);
  }

  /** The original's and each output's info; `undefined` when an expected output is missing. */
  private async collectInfo(expect: CiConfirmExpectation): Promise<CiImageInfo | undefined> {
    const { client } = this.config;
    const original = await client.imageInfo(expect.key);
    const processResults: CiProcessResult[] = [];
    for (const { key, bucket = client.bucket } of expect.outputs) {
      let head;
      try {
        head = await client.headObject(key, { bucket });
      } catch (err) {
        if (isCiResponseError(err) && err.statusCode === 404) return undefined;
        throw err;
      }
      const info = await client.imageInfo(key, { bucket });
      processResults.push({
        key,
        bucket,
        format: info.format,
        width: info.width,
        height: info.height,
        size: head.size,
        md5: info.md5,
        frameCount: info.frameCount,
        etag: head.etag,
        raw: info.raw,
      });
    }
    return {
      originalInfo: {
        format: original.format,
        width: original.width,
        height: original.height,
        frameCount: original.frameCount,
        key: expect.key,
        raw: original.raw,
      },
      processResults,
    };
  }
}

/** The outputs mark of a ticket: `<bucket>/<key>` pairs (key URI-encoded; no bucket: the client's), comma-separated. */
function encodeOutputs(outputs: readonly CiObjectRef[]): string {
  return outputs.map((o) => `${o.bucket ?? ''}/${encodeURIComponent(o.key)}`).join(',');
}

/** Reads the outputs mark back (see {@link encodeOutputs}). */
function decodeOutputs(mark: string | undefined): CiObjectRef[] {
  return (mark ?? '')
    .split(',')
    .filter(Boolean)
    .map((pair) => {
      const slash = pair.indexOf('/');
      const bucket = pair.slice(0, slash);
      return { key: decodeURIComponent(pair.slice(slash + 1)), ...(bucket ? { bucket } : {}) };
    });
}
