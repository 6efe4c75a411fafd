import { isIP } from 'node:net';
import { Readable } from 'node:stream';
import { Pool, type Dispatcher } from 'undici';
import { CiValidationError } from '../core/errors';
import type { CiImageAverage, CiImageBasicInfo, CiImageExif } from '../core/result';
import { style as styleStep, toRuleString } from '../core/rules';
import {
  parseExifJson,
  parseImageAveJson,
  parseImageInfoJson,
  type CosListedObject,
  type CosMultipartUpload,
} from '../protocol/cos-v5';
import {
  CI_CLIENT_DEFAULTS,
  type CiClientOptions,
  type CiProtocol,
  type CiStyleSeparator,
  type CiUploadTuning,
} from './ci-client.options';
import type {
  CiCallOptions,
  CiObjectDownload,
  CiObjectHead,
  CiObjectResult,
  CiObjectUrlOptions,
} from './ci-client.results';
import { filesV2Origin, longRegionOf } from '../protocol/files-v2/region';
import { filesV2Path } from '../protocol/files-v2/requests';
import {
  issueTemporaryCredentials,
  type CiTemporaryCredentials,
  type CiTemporaryCredentialsOptions,
} from './temporary-credentials';
import { postFieldName, type CiSignedUpload, type CiSignUploadOptions } from './upload-ticket';
import { CosV5Backend, parseCosErrorBody } from './cos-v5.backend';
import { CredentialsCache } from './credentials';
import { FilesV2Backend, filesV2TokenError, parseFilesV2ErrorBody } from './files-v2.backend';
import { guardedDispatcher } from './loopback-guard';
import { HttpTransport } from './http-transport';
import { streamingUpload, type UploadProgress } from './streaming-upload';
import {
  resolveUploadTuning,
  UploadBudget,
  type CiUploadBufferStats,
  type ResolvedUploadTuning,
} from './upload-budget';

const BUCKET_PATTERN = /^[a-z0-9][a-z0-9-]*-(\d+)$/;

/** Options of {@link CiClient.upload}. */
export interface CiClientUploadOptions extends CiCallOptions {
  /** `Pic-Operations` header value, from `buildPicOperations`. */
  picOperations?: string;
  /** MIME type to store. */
  contentType?: string;
  /** Extra `x-cos-*` headers. */
  headers?: Record<string, string>;
  /** Per-call split tuning, over the client's. */
  tuning?: CiUploadTuning;
  /** Called as bytes are read and acknowledged. */
  onProgress?: (progress: UploadProgress) => void;
  /**
   * Total size when known: the source is then piped into one request (no buffer, no budget), and must have
   * exactly this size (else the upload fails with `CiValidationError` `SIZE_MISMATCH` and nothing is stored).
   */
  size?: number;
  /**
   * The size the platform predicted for a form's file (from the request's `Content-Length`, as if the file were
   * the form's last part): an upper bound. A file predicted up to `multipartThreshold` is held (that much of the
   * budget at most) and sent in one request whatever follows it in the form; a larger one is piped as if of that
   * size and must turn out so (else `SIZE_MISMATCH`, nothing stored). Ignored when `size` is given.
   */
  predictedSize?: number;
  /**
   * A value unique to this upload, stored with the object (cos-v5 `x-cos-meta-ci-attempt`, files-v2 `biz_attr`):
   * clean-up after an unknown outcome removes the key only when it holds this value. Default: none.
   */
  marker?: string;
  /**
   * Refuse to overwrite an existing object: files-v2 `insertOnly=1`, cos-v5 `x-cos-forbid-overwrite: true`.
   * Default: the client's `insertOnly`.
   */
  insertOnly?: boolean | 0 | 1;
}

/** Options of {@link CiClient.processObject}. */
export interface CiProcessObjectOptions extends CiCallOptions {
  /**
   * files-v2: `insertOnly=1` refuses outputs that would replace a file. cos-v5's `?image_process` has no such
   * switch (CI documents none), so it is not sent there. Default: the client's `insertOnly`.
   */
  insertOnly?: boolean | 0 | 1;
  /** Told of every failed attempt (a retry follows, or the error is thrown): an answer may have been lost. */
  onFailure?: (err: unknown) => void;
}

/**
 * A typed client for COS + CI over an undici Pool: streaming upload with Pic-Operations, cloud processing,
 * head, get, delete and pre-signed URLs. Knows nothing of Nest.
 *
 * @example
 * const client = new CiClient({ bucket: 'photos-1250000000', region: 'ap-guangzhou', credentials });
 * const result = await client.upload('a/b.jpg', fs.createReadStream('b.jpg'), { picOperations });
 */
export class CiClient {
  /** The protocol this client speaks. */
  readonly protocol: CiProtocol;
  /** Bucket as `<name>-<appid>`. */
  readonly bucket: string;
  /** Region, in its COS v5 (long) form even when given as a short code (`cd` → `ap-chengdu`). */
  readonly region: string;
  /** APPID. */
  readonly appId: string;
  /** The undici dispatcher requests go through (a Pool unless one was given). */
  readonly dispatcher: Dispatcher;
  private ownsDispatcher: boolean;
  private readonly cos: CosV5Backend;
  /** Uploads and processing go through the chosen protocol; head, get, delete and URLs always use cos-v5. */
  private readonly processing: CosV5Backend | FilesV2Backend;
  private readonly extraDispatchers: Dispatcher[] = [];
  private readonly tuning: ResolvedUploadTuning;
  /** Buffer memory shared by every upload of this client. */
  private readonly budget: UploadBudget;
  /** Where requests go: the XML API's origin, and the files-v2 API's when the protocol is files-v2. */
  readonly endpoints: { readonly cos: string; readonly filesV2?: string };
  private readonly publicDomain?: string;
  private readonly insertOnly: boolean;
  private readonly styleSeparator: CiStyleSeparator;
  private readonly now: () => number;
  private readonly credentials: CredentialsCache;
  private readonly stsEndpoint?: string;
  /** Builds the XML API backend of another bucket (outputs of rules with `bucket`); cached in `others`. */
  private readonly backendOf: (bucket: string) => CosV5Backend;
  private readonly others = new Map<string, CosV5Backend>();

  constructor(options: CiClientOptions) {
    const bucketMatch = BUCKET_PATTERN.exec(options.bucket ?? '');
    if (!bucketMatch) {
      throw new CiValidationError(
        'BUCKET_INVALID',
        `bucket must be <name>-<appid>, got "${options.bucket}"`,
        {
          field: 'bucket',
        },
      );
    }
    const region = longRegionOf(options.region ?? '');
    if (!region) {
      throw new CiValidationError(
        'OPTIONS_INVALID',
        `region must look like "ap-guangzhou" or be a short code such as "gz", got "${options.region}"`,
        { field: 'region' },
      );
    }
    this.protocol = options.protocol ?? CI_CLIENT_DEFAULTS.protocol;
    if (
      this.protocol === 'files-v2' &&
      typeof options.credentials === 'object' &&
      options.credentials.securityToken
    )
      throw filesV2TokenError();
    this.publicDomain = options.publicDomain;
    // The seed: files-v2 does not overwrite by default; COS overwrites unless told not to.
    this.insertOnly = options.insertOnly ?? this.protocol === 'files-v2';
    this.styleSeparator = options.styleSeparator ?? CI_CLIENT_DEFAULTS.styleSeparator;
    this.bucket = options.bucket;
    this.region = region;
    this.appId = options.appId ?? bucketMatch[1]!;
    const now = options.now ?? Date.now;
    this.now = now;
    const timeouts = { ...CI_CLIENT_DEFAULTS.timeouts, ...options.timeouts };
    this.tuning = resolveUploadTuning(options.upload);
    this.budget = new UploadBudget(this.tuning.maxBufferedBytes, this.tuning.budgetWaitMs);

    const origin = new URL(options.endpoint ?? `https://${this.bucket}.cos.${this.region}.myqcloud.com`);
    const hostname = origin.hostname.replace(/^\[|\]$/g, '');
    const addressing =
      options.addressing ?? (isIP(hostname) || hostname === 'localhost' ? 'path' : 'virtual-host');
    const pool = (
      o: string,
      connections: number | null = options.connections ?? CI_CLIENT_DEFAULTS.connections,
    ) =>
      new Pool(o, {
        connections,
        allowH2: false,
        connect: { timeout: timeouts.connectMs },
        headersTimeout: timeouts.headersMs,
        bodyTimeout: timeouts.bodyMs,
      });
    // Piped uploads hold a connection as long as their client takes: they get a pool of their own, without a
    // cap (each stands for one incoming request), so they never queue behind each other or hold up the rest.
    const pipes = (o: string) => {
      if (options.dispatcher) return options.dispatcher;
      const p = pool(o, null);
      this.extraDispatchers.push(p);
      return p;
    };
    this.ownsDispatcher = !options.dispatcher;
    this.dispatcher = options.dispatcher ?? pool(origin.origin);
    const credentials = new CredentialsCache(options.credentials, now);
    this.credentials = credentials;
    this.stsEndpoint = options.stsEndpoint;
    const retry = { ...CI_CLIENT_DEFAULTS.retry, ...options.retry };
    const signatureTtlSeconds = options.signatureTtlSeconds ?? CI_CLIENT_DEFAULTS.signatureTtlSeconds;
    // Another bucket of the account (a rule's `bucket`): the same path-style server, the endpoint with the bucket
    // name swapped when its host starts with it (accelerate), else that bucket's default domain.
    const originOf = (bucket: string): URL => {
      if (bucket === this.bucket || addressing === 'path') return origin;
      if (options.endpoint && origin.hostname.startsWith(`${this.bucket}.`)) {
        const other = new URL(origin.href);
        other.hostname = bucket + origin.hostname.slice(this.bucket.length);
        return other;
      }
      return new URL(`https://${bucket}.cos.${this.region}.myqcloud.com`);
    };
    this.backendOf = (bucket) => {
      const at = originOf(bucket);
      let dispatcher = this.dispatcher;
      if (at.origin !== origin.origin && !options.dispatcher) {
        dispatcher = pool(at.origin);
        this.extraDispatchers.push(dispatcher);
      }
      return new CosV5Backend({
        bucket,
        region: this.region,
        host: at.host,
        pathStyle: addressing === 'path',
        origin: at.origin,
        credentials,
        transport: new HttpTransport(
          guardedDispatcher(dispatcher, at.origin),
          timeouts,
          parseCosErrorBody,
          guardedDispatcher(pipes(at.origin), at.origin),
        ),
        retry,
        signatureTtlSeconds,
        now,
      });
    };
    this.cos = this.backendOf(this.bucket);
    if (this.protocol === 'files-v2') {
      // The JSON API lives on its own host (the seed's `<short region>.image.myqcloud.com`), unless
      // `filesV2Endpoint` names one. A path-style `endpoint` (the emulator, a proxy: its host names no bucket)
      // serves both APIs; a bucket's custom or accelerated domain serves the XML API only.
      const filesOrigin = options.filesV2Endpoint
        ? new URL(options.filesV2Endpoint).origin
        : addressing === 'path'
          ? origin.origin
          : filesV2Origin(this.region);
      let filesDispatcher = this.dispatcher;
      if (filesOrigin !== origin.origin && !options.dispatcher) {
        filesDispatcher = pool(filesOrigin);
        this.extraDispatchers.push(filesDispatcher);
      }
      this.endpoints = { cos: origin.origin, filesV2: filesOrigin };
      this.processing = new FilesV2Backend({
        appId: this.appId,
        bucket: this.bucket,
        credentials,
        transport: new HttpTransport(
          guardedDispatcher(filesDispatcher, filesOrigin),
          timeouts,
          parseFilesV2ErrorBody,
          guardedDispatcher(pipes(filesOrigin), filesOrigin),
        ),
        retry,
        signatureTtlSeconds,
        now,
        head: (key, signal, bucket) => this.headObject(key, { signal, bucket }),
      });
    } else {
      this.endpoints = { cos: origin.origin };
      this.processing = this.cos;
    }
  }

  /**
   * Uploads a stream, Buffer or iterable with Content-Length on every request: piped into one request when its
   * size is known (`size`, or a Buffer); else one PUT below `multipartThreshold`, or a multipart upload whose
   * parts go out while the source is still arriving. Any failure or abort aborts the multipart upload.
   */
  upload(
    key: string,
    body: Buffer | Readable | AsyncIterable<Buffer | Uint8Array | string>,
    options: CiClientUploadOptions = {},
  ): Promise<CiObjectResult> {
    const source = Buffer.isBuffer(body)
      ? [body]
      : Symbol.asyncIterator in (body as object)
        ? (body as AsyncIterable<Buffer>)
        : Readable.from(body as unknown as Iterable<Buffer>);
    const size = options.size ?? (Buffer.isBuffer(body) ? body.length : undefined);
    const tuning = { ...this.tuning, ...options.tuning };
    return streamingUpload(
      this.processing,
      key,
      source,
      {
        ...tuning,
        budget: this.budget,
        rate: { minBytesPerSecond: tuning.minSourceBytesPerSecond, windowMs: tuning.sourceRateWindowMs },
      },
      { ...options, size, insertOnly: this.insertOnlyFlag(options.insertOnly) },
    );
  }

  /**
   * The upload buffer budget now: its size, what uploads in flight hold of it, and how many uploads wait for
   * it (a gauge for metrics or a readiness check).
   */
  uploadBufferStats(): CiUploadBufferStats {
    return this.budget.stats();
  }

  /** PUT Object with a body already in memory. */
  putObject(key: string, body: Buffer, options: Omit<CiClientUploadOptions, 'tuning' | 'onProgress'> = {}) {
    return this.processing.putSingle(key, [body], body.length, {
      ...options,
      insertOnly: this.insertOnlyFlag(options.insertOnly),
    });
  }

  /** Cloud data processing of a stored object (`POST /<key>?image_process`); retried on 5xx, resets, timeouts. */
  processObject(
    key: string,
    picOperations: string,
    options: CiProcessObjectOptions = {},
  ): Promise<CiObjectResult> {
    if (this.processing instanceof FilesV2Backend) {
      const insertOnly = this.insertOnlyFlag(options.insertOnly);
      return this.processing.processObject(key, picOperations, options.signal, insertOnly, options.onFailure);
    }
    return this.processing.processObject(key, picOperations, options.signal, options.onFailure);
  }

  private insertOnlyFlag(value: boolean | 0 | 1 | undefined): 0 | 1 {
    return (value ?? this.insertOnly) ? 1 : 0;
  }

  /**
   * HEAD Object; a missing key throws `CiResponseError` with `ciCode` `NoSuchKey` / status 404. `bucket`: as for
   * `deleteObject`.
   */
  headObject(key: string, options: CiCallOptions & { bucket?: string } = {}): Promise<CiObjectHead> {
    return this.cosOf(options.bucket).headObject(key, options.signal);
  }

  /** GET Object as a stream (consume or destroy `body`). */
  getObject(key: string, options: CiCallOptions & { range?: string } = {}): Promise<CiObjectDownload> {
    return this.cos.getObject(key, options);
  }

  /**
   * DELETE Object (a missing key is not an error). `bucket` (`<name>-<appid>`, default the client's) names another
   * bucket of the account, where a rule with `bucket` wrote its output.
   */
  deleteObject(key: string, options: CiCallOptions & { bucket?: string } = {}): Promise<void> {
    return this.cosOf(options.bucket).deleteObject(key, options.signal);
  }

  /** The XML API backend of `bucket` (the client's own when absent). */
  private cosOf(bucket: string | undefined): CosV5Backend {
    if (bucket === undefined || bucket === this.bucket) return this.cos;
    if (!BUCKET_PATTERN.test(bucket)) {
      throw new CiValidationError('BUCKET_INVALID', `bucket must be <name>-<appid>, got "${bucket}"`, {
        field: 'bucket',
      });
    }
    let backend = this.others.get(bucket);
    if (!backend) this.others.set(bucket, (backend = this.backendOf(bucket)));
    return backend;
  }

  /**
   * The URL of an object, optionally processed at download time. Signed by default (GET, valid `expiresIn` seconds,
   * default the signature TTL 900; the processing rule is signed with it); plain with `signed: false` or when the
   * client has a `publicDomain` (then on that domain). A rule is validated first (`CiValidationError`).
   * @example await client.getObjectUrl('a.jpg', { process: imageMogr2().thumbnail({ width: 200 }) })
   * // 'https://b-1250000000.cos.ap-guangzhou.myqcloud.com/a.jpg?q-sign-algorithm=sha1&...&imageMogr2/thumbnail/200x'
   */
  async getObjectUrl(key: string, options: CiObjectUrlOptions = {}): Promise<string> {
    const { process, signed, ...rest } = options;
    let processing: string | undefined;
    let style: { separator: string; name: string } | undefined;
    if (process !== undefined && typeof process === 'object' && 'style' in process) {
      styleStep(process.style); // validates the name
      style = { separator: this.styleSeparator, name: process.style };
    } else if (process !== undefined) {
      processing = toRuleString(process);
    }
    const plain = signed === false || (signed === undefined && this.publicDomain !== undefined);
    return this.cos.getObjectUrl(key, {
      ...rest,
      processing,
      style,
      signed: !plain,
      origin: plain ? this.publicDomain : undefined,
    });
  }

  /**
   * Signs one direct upload of `key` (see {@link CiUploadTicketKind}): a pre-signed PUT whose signature binds the
   * content type, `Pic-Operations`, the size when given and the object headers; a POST Object form whose policy binds
   * the key, content type, headers and `content-length-range`; or a files-v2 form signature bound to the one file.
   * Valid `expiresIn` seconds. The key is the caller's choice, never the uploader's.
   *
   * @example
   * const t = await client.signUpload('uploads/a.jpg', { kind: 'put', contentType: 'image/jpeg', size: 1234,
   *   maxSize: 1 << 20, picOperations, expiresIn: 300 });
   * await fetch(t.url, { method: t.method, headers: t.headers, body: file });
   */
  async signUpload(key: string, options: CiSignUploadOptions): Promise<CiSignedUpload> {
    const expiresAt = this.now() + options.expiresIn * 1000;
    // The ACL is always signed (or bound), so the uploader cannot add `public-read`: `default` inherits the bucket's
    // ACL (PUT Object and POST Object docs, `x-cos-acl` / `acl`).
    const objectHeaders = { 'x-cos-acl': 'default', ...options.headers };
    if (options.kind === 'files-v2') {
      if (!(this.processing instanceof FilesV2Backend) || !this.endpoints.filesV2) {
        throw new CiValidationError('OPTIONS_INVALID', "a files-v2 ticket needs protocol 'files-v2'", {
          field: 'kind',
        });
      }
      const authorization = await this.processing.singleFileAuthorization(key, options.expiresIn);
      const shortBucket = this.bucket.slice(0, -(this.appId.length + 1));
      return {
        kind: 'files-v2',
        method: 'POST',
        url: this.endpoints.filesV2 + filesV2Path(this.appId, shortBucket, key),
        headers: {
          Authorization: authorization,
          ...(options.picOperations ? { 'Pic-Operations': options.picOperations } : {}),
        },
        fields: { op: 'upload', insertOnly: String(options.insertOnly ?? (this.insertOnly ? 1 : 0)) },
        fileField: 'filecontent',
        expiresAt,
      };
    }
    if (options.kind === 'post') {
      const fields: Record<string, string> = { 'Content-Type': options.contentType };
      for (const [name, value] of Object.entries(objectHeaders)) fields[postFieldName(name)] = value;
      const form = await this.cos.createPostForm(key, {
        fields: { ...fields, success_action_status: '201' },
        contentLengthRange: [1, options.maxSize],
        expiresIn: options.expiresIn,
      });
      return {
        kind: 'post',
        method: 'POST',
        url: form.url,
        headers: {},
        fields: form.fields,
        fileField: 'file',
        expiresAt,
      };
    }
    const headers: Record<string, string> = { 'Content-Type': options.contentType, ...objectHeaders };
    if (options.picOperations) headers['Pic-Operations'] = options.picOperations;
    if (options.size !== undefined) headers['Content-Length'] = String(options.size);
    const url = await this.cos.getObjectUrl(key, { method: 'PUT', headers, expiresIn: options.expiresIn });
    // Content-Length is set by the client's HTTP stack from the body; it is signed, not sent by hand.
    const { 'Content-Length': _length, ...send } = headers;
    return { kind: 'put', method: 'PUT', url, headers: send, expiresAt };
  }

  /**
   * Temporary credentials for SDK-based clients (mobile, mini-programs): STS `GetFederationToken` with a policy that
   * allows only `actions` (default: uploading) under `prefix` of this bucket, for `durationSeconds` (default 900).
   *
   * @example
   * const keys = await client.issueTemporaryCredentials({ prefix: 'uploads/user-42/' });
   * // { secretId, secretKey, securityToken, expiresAt, bucket, region, prefix, actions }
   */
  async issueTemporaryCredentials(options: CiTemporaryCredentialsOptions): Promise<CiTemporaryCredentials> {
    return issueTemporaryCredentials(
      {
        credentials: await this.credentials.get(),
        bucket: this.bucket,
        region: this.region,
        endpoint: this.stsEndpoint,
        now: this.now,
      },
      options,
    );
  }

  /** `GET <key>?imageInfo`: format, size, dimensions, MD5 and main colour of a stored image (numbers typed). */
  async imageInfo(key: string, options: CiCallOptions & { bucket?: string } = {}): Promise<CiImageBasicInfo> {
    return parseImageInfoJson(
      await this.cosOf(options.bucket).imageMetadata(key, 'imageInfo', options.signal),
    );
  }

  /** `GET <key>?imageAve`: the average colour of a stored image (`0xRRGGBB`). */
  async imageAve(key: string, options: CiCallOptions = {}): Promise<CiImageAverage> {
    return parseImageAveJson(await this.cos.imageMetadata(key, 'imageAve', options.signal));
  }

  /** `GET <key>?exif`: the EXIF tags of a stored image, each as text, and its orientation. */
  async exif(key: string, options: CiCallOptions = {}): Promise<CiImageExif> {
    return parseExifJson(await this.cos.imageMetadata(key, 'exif', options.signal));
  }

  /** Every object under `prefix` (GET Bucket, page after page), keys in order. */
  listObjects(prefix: string, options: CiCallOptions = {}): AsyncIterable<CosListedObject> {
    return this.cos.listObjects(prefix, options.signal);
  }

  /** An object's tags (`GET <key>?tagging`). */
  getObjectTagging(key: string, options: CiCallOptions = {}): Promise<Record<string, string>> {
    return this.cos.getObjectTagging(key, options.signal);
  }

  /** Replaces an object's tags (`PUT <key>?tagging`). */
  putObjectTagging(key: string, tags: Record<string, string>, options: CiCallOptions = {}): Promise<void> {
    return this.cos.putObjectTagging(key, tags, options.signal);
  }

  /** Lists the bucket's open multipart uploads, optionally under a prefix. */
  listMultipartUploads(prefix?: string, options: CiCallOptions = {}): Promise<CosMultipartUpload[]> {
    return this.cos.listMultipartUploads(prefix, options.signal);
  }

  /** Aborts one multipart upload (an unknown upload id is not an error). */
  abortMultipartUpload(key: string, uploadId: string, options: CiCallOptions = {}): Promise<void> {
    return this.cos.abortMultipartUpload(key, uploadId, options.signal);
  }

  /**
   * Aborts the open multipart uploads of exactly `key` opened since `since` (ms since epoch, 1 s of slack):
   * what a request whose outcome is unknown may have opened. Best effort, never throws.
   */
  abortMultipartUploadsOf(key: string, since = 0): Promise<void> {
    return this.cos.abortUploadsOf(key, since);
  }

  /** Closes the pool (when this client created it); in-flight requests fail with a network error. */
  async close(): Promise<void> {
    const dispatchers = [
      ...this.extraDispatchers.splice(0),
      ...(this.ownsDispatcher ? [this.dispatcher] : []),
    ];
    this.ownsDispatcher = false;
    await Promise.all(dispatchers.map((d) => d.close()));
  }
}
