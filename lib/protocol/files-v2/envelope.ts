import { CiProtocolError, CiResponseError, type CiRequestTarget } from '../../core/errors';
import {
  assignDefined,
  bucketOfResourcePath,
  keyOfResourcePath,
  normalizeCiFormat,
  numberOf,
  rawFieldsOf,
  textOf,
  type CiImageInfo,
  type CiOriginalInfo,
  type CiProcessResult,
} from '../../core/result';

/** The JSON envelope every files-v2 answer uses: `{ code, message, request_id, data }`. */
export interface FilesV2Envelope {
  /** 0 on success; a (negative) error code otherwise. */
  code: number;
  /** `SUCCESS` or the reason of the failure. */
  message: string;
  /** `request_id`, to quote to support. */
  requestId?: string;
  /** The business data, when the server sent an object. */
  data?: Record<string, unknown>;
}

/** The typed `data` of an upload or image_process answer. */
export interface FilesV2Result {
  /** `image_info`, typed; `processResults` is always an array. */
  imageInfo: CiImageInfo;
  /** `access_url` (CDN link). */
  accessUrl?: string;
  /** `resource_path`, `/<appid>/<bucket>/<key>`. */
  resourcePath?: string;
  /** `source_url` (direct COS link). */
  sourceUrl?: string;
  /** `url` (API URL of the file). */
  url?: string;
  /** `timecost`, in ms. */
  timecost?: number;
}

/** The answer to `upload_slice_init`: a session to send slices to, or a finished upload (the server had the file). */
export type FilesV2SliceInit =
  | {
      complete: false;
      /** Session to name in every slice and in finish. */
      session: string;
      /** Slice size the server wants, when it says. */
      sliceSize?: number;
      /** Offset to resume from, when the server says. */
      offset?: number;
      /** The server asks for one slice at a time (`serial_upload: 1`). */
      serialUpload: boolean;
    }
  | {
      complete: true;
      /** The finished upload, as `upload` would have answered. */
      result: FilesV2Result;
    };

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Removes commas that directly precede `}` or `]` outside strings. Only ever run on text JSON.parse refused:
 * valid JSON has no such commas, so valid input is never changed (the seed's sample answer has one).
 */
function stripTrailingCommas(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    if (c === ',') {
      let j = i + 1;
      while (j < text.length && /\s/.test(text[j])) j++;
      if (text[j] === '}' || text[j] === ']') continue;
    }
    out += c;
  }
  return out;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (first) {
    try {
      return JSON.parse(stripTrailingCommas(text));
    } catch {
      throw first;
    }
  }
}

const str = textOf;

const num = numberOf;

const DEFAULT_TARGET: CiRequestTarget = { method: 'POST', path: '/files/v2' };

/**
 * Parses a files-v2 JSON answer. Throws {@link CiResponseError} when `code` is not 0 (or the HTTP status is
 * not 2xx), with `ciCode = String(code)`; {@link CiProtocolError} when a 2xx body is not the envelope.
 * A trailing comma before `}`/`]` (as in the seed's sample) is tolerated.
 *
 * @example
 * const { data } = parseFilesV2Envelope(await res.body.text(), res.statusCode, { method: 'POST', path });
 */
export function parseFilesV2Envelope(
  text: string,
  httpStatus: number,
  request: CiRequestTarget = DEFAULT_TARGET,
): FilesV2Envelope {
  const ok = httpStatus >= 200 && httpStatus < 300;
  let doc: unknown;
  try {
    doc = parseJson(text);
  } catch (cause) {
    if (!ok) throw httpError(httpStatus, request, String(httpStatus), '', undefined, cause);
    throw new CiProtocolError(`files-v2 answered ${httpStatus} with a body that is not JSON`, { cause });
  }
  const code = isObject(doc) ? num(doc.code) : undefined;
  if (!isObject(doc) || code === undefined || !Number.isInteger(code)) {
    if (!ok) throw httpError(httpStatus, request, String(httpStatus), '', undefined);
    throw new CiProtocolError(`files-v2 answered ${httpStatus} without a numeric "code"`);
  }
  const envelope: FilesV2Envelope = {
    code,
    message: str(doc.message) ?? '',
    requestId: str(doc.request_id),
    data: isObject(doc.data) ? doc.data : undefined,
  };
  if (code !== 0) throw httpError(httpStatus, request, String(code), envelope.message, envelope.requestId);
  if (!ok) throw httpError(httpStatus, request, String(httpStatus), envelope.message, envelope.requestId);
  return envelope;
}

function httpError(
  statusCode: number,
  request: CiRequestTarget,
  ciCode: string,
  ciMessage: string,
  requestId: string | undefined,
  cause?: unknown,
): CiResponseError {
  return new CiResponseError(
    { statusCode, ciCode, ciMessage, requestId, method: request.method, path: request.path },
    cause === undefined ? undefined : { cause },
  );
}

function stripSlash(key: string): string {
  return key.replace(/^\/+/, '');
}

const ORIGINAL_FIELDS = ['format', 'width', 'height', 'ave', 'orientation', 'quality', 'frame_count'];
const RESULT_FIELDS = [
  'file_id',
  'bucket',
  'format',
  'width',
  'height',
  'size',
  'quality',
  'frame_count',
  'md5',
  'watermark_status',
  'access_url',
  'source_url',
  'resource_path',
  'url',
  'vid',
];

function originalInfo(o: Json): CiOriginalInfo {
  return assignDefined<CiOriginalInfo>(
    { raw: rawFieldsOf(o, ORIGINAL_FIELDS) },
    {
      format: normalizeCiFormat(str(o.format)),
      width: num(o.width),
      height: num(o.height),
      ave: str(o.ave),
      orientation: num(o.orientation),
      quality: num(o.quality),
      frameCount: num(o.frame_count),
    },
  );
}

/**
 * One `process_results` entry. The key comes from `resource_path` ("can be used as its ID", the seed's tables);
 * `file_id` is the rule's relative fileid in the seed's sample, so it is the key only when no path is given.
 */
function processResult(o: Json): CiProcessResult {
  const resourcePath = str(o.resource_path);
  const fileId = str(o.file_id);
  return assignDefined<CiProcessResult>(
    {
      key: keyOfResourcePath(resourcePath) ?? stripSlash(fileId ?? ''),
      raw: rawFieldsOf(o, RESULT_FIELDS),
    },
    {
      fileId,
      bucket: str(o.bucket) ?? bucketOfResourcePath(resourcePath),
      format: normalizeCiFormat(str(o.format)),
      width: num(o.width),
      height: num(o.height),
      size: num(o.size),
      quality: num(o.quality),
      frameCount: num(o.frame_count),
      md5: str(o.md5),
      watermarkStatus: num(o.watermark_status),
      accessUrl: str(o.access_url),
      sourceUrl: str(o.source_url),
      resourcePath,
      url: str(o.url),
      vid: str(o.vid),
    },
  );
}

/** Copies the four link fields present in `o` (`access_url`, ...) onto `target`, camel-cased. */
function withLinks<T extends { accessUrl?: string; sourceUrl?: string; resourcePath?: string; url?: string }>(
  target: T,
  o: Json,
): T {
  const accessUrl = str(o.access_url);
  const sourceUrl = str(o.source_url);
  const resourcePath = str(o.resource_path);
  const url = str(o.url);
  if (accessUrl !== undefined) target.accessUrl = accessUrl;
  if (sourceUrl !== undefined) target.sourceUrl = sourceUrl;
  if (resourcePath !== undefined) target.resourcePath = resourcePath;
  if (url !== undefined) target.url = url;
  return target;
}

/**
 * Maps the `data` of an upload / image_process / slice finish answer onto the typed result: `image_info`
 * becomes {@link CiImageInfo} (numbers as numbers, `file_id` as `key` without a leading `/`).
 */
export function toFilesV2Result(data: unknown): FilesV2Result {
  if (data !== undefined && !isObject(data)) throw new CiProtocolError('files-v2 "data" is not an object');
  const d: Json = data ?? {};
  const image = isObject(d.image_info) ? d.image_info : {};
  const rawResults = image.process_results;
  const results = Array.isArray(rawResults) ? rawResults : isObject(rawResults) ? [rawResults] : [];
  const imageInfo: CiImageInfo = { processResults: results.filter(isObject).map(processResult) };
  if (isObject(image.original_info)) imageInfo.originalInfo = originalInfo(image.original_info);
  const result = withLinks<FilesV2Result>({ imageInfo }, d);
  const timecost = num(d.timecost);
  if (timecost !== undefined) result.timecost = timecost;
  return result;
}

/**
 * Reads the `data` of an `upload_slice_init` answer: `session` (required unless the server already has the
 * file and answers with `access_url`), `slice_size`, `offset`, `serial_upload`.
 */
export function parseSliceInitResult(data: unknown): FilesV2SliceInit {
  if (!isObject(data)) throw new CiProtocolError('files-v2 upload_slice_init answered without "data"');
  if (data.access_url !== undefined) return { complete: true, result: toFilesV2Result(data) };
  const session = str(data.session);
  if (!session) throw new CiProtocolError('files-v2 upload_slice_init answered without a "session"');
  const init: FilesV2SliceInit = { complete: false, session, serialUpload: num(data.serial_upload) === 1 };
  const sliceSize = num(data.slice_size);
  const offset = num(data.offset);
  if (sliceSize !== undefined) init.sliceSize = sliceSize;
  if (offset !== undefined) init.offset = offset;
  return init;
}
