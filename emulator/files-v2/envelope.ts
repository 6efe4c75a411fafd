import { cosEncode, encodeKeyPath } from '../../lib/protocol/cos-v5/encode';
import type { Exchange } from '../http/exchange';
import type { PicProcessingOutcome } from '../processing/pic-processor';
import type { FilesV2Error } from './files-v2.errors';

/** The four links of a file in an answer (`access_url`, `resource_path`, `source_url`, `url`). */
export interface FilesV2Links {
  access_url: string;
  resource_path: string;
  source_url: string;
  url: string;
}

/** `original_info` of `image_info`. */
export interface FilesV2OriginalInfo {
  format: string;
  width: number;
  height: number;
  /** Absent only when the source was over the limits and every rule had `ignore-error/1`. */
  ave?: string;
  orientation: number;
  quality: number;
}

/** One entry of `process_results`. */
export interface FilesV2ProcessResult extends FilesV2Links {
  /**
   * The rule's `fileid` as written: the seed's sample answers `"file_id":"test1.png"` for the rule
   * `{"fileid":"test1.png",...}`; the resolved key is in `resource_path`.
   */
  file_id: string;
  /** Upper case, as the seed shows (`PNG`). */
  format: string;
  width: number;
  height: number;
  size: number;
  quality: number;
}

/** `image_info` of an answer. */
export interface FilesV2ImageInfo {
  original_info?: FilesV2OriginalInfo;
  process_results: FilesV2ProcessResult[];
}

/** `data` of an upload or slice-finish answer (the links of the file, then `timecost` and `image_info`). */
export interface FilesV2UploadData extends FilesV2Links {
  timecost: number;
  /** Present when the request carried `Pic-Operations`. */
  image_info?: FilesV2ImageInfo;
}

/** `data` of an `image_process` answer: `timecost` and `image_info` only, as the seed shows. */
export interface FilesV2ProcessData {
  timecost: number;
  image_info: FilesV2ImageInfo;
}

/** Builds the links of files for one emulator. */
export class FilesV2LinkBuilder {
  constructor(
    /** APPID of every bucket. */
    private readonly appId: string,
    /** The emulator's own URL (`http://127.0.0.1:PORT`), read when an answer is built. */
    private readonly emulatorUrl: () => string,
  ) {}

  /**
   * `access_url` (the CDN link CI would give: `http://<bucket>-<appid>.file.myqcloud.com/<key>`, not served),
   * `resource_path` (`/<appid>/<short bucket>/<key>`), `source_url` (the object on the emulator's XML API,
   * path-style: fetchable with a COS signature or a pre-signed URL), `url` (the file on the emulator's files-v2 API).
   */
  links(bucket: string, key: string): FilesV2Links {
    const short = bucket.endsWith(`-${this.appId}`) ? bucket.slice(0, -this.appId.length - 1) : bucket;
    const path = encodeKeyPath(key);
    const base = this.emulatorUrl();
    return {
      access_url: `http://${bucket}.file.myqcloud.com${path}`,
      resource_path: `/${this.appId}/${short}/${key}`,
      source_url: `${base}/${bucket}${path}`,
      url: `${base}/files/v2/${cosEncode(this.appId)}/${cosEncode(short)}${path}`,
    };
  }

  /** `image_info` of a processing outcome (the port's output type): formats upper-cased, numbers as numbers. */
  imageInfo(outcome: PicProcessingOutcome): FilesV2ImageInfo {
    const processResults: FilesV2ProcessResult[] = outcome.outputs.map((o) => ({
      ...this.links(o.bucket, o.key),
      file_id: o.fileid ?? o.key,
      format: o.format.toUpperCase(),
      width: o.width,
      height: o.height,
      size: o.body.length,
      quality: o.quality,
    }));
    const o = outcome.originalImageInfo;
    if (!o) return { process_results: processResults };
    const original: FilesV2OriginalInfo = {
      format: o.format,
      width: o.width,
      height: o.height,
      // The port answers '' when the source was over the limits and every rule had ignore-error/1.
      ...(o.ave === '' ? {} : { ave: o.ave }),
      orientation: o.orientation,
      quality: o.quality,
    };
    return { original_info: original, process_results: processResults };
  }
}

function sendJson(exchange: Exchange, status: number, document: unknown): void {
  exchange.status = status;
  if (!exchange.canRespond) return;
  const body = Buffer.from(JSON.stringify(document), 'utf8');
  exchange.res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': body.length,
  });
  exchange.res.end(body);
}

/** Answers 200 `{"code":0,"message":"SUCCESS","request_id":...,"data":...}`. */
export function sendFilesV2Success(exchange: Exchange, data: object): void {
  sendJson(exchange, 200, { code: 0, message: 'SUCCESS', request_id: exchange.requestId, data });
}

/** Answers an error envelope `{"code":<negative>,"message":...,"request_id":...}` with the error's HTTP status. */
export function sendFilesV2Error(exchange: Exchange, error: FilesV2Error): void {
  exchange.errorCode = String(error.code);
  sendJson(exchange, error.status, {
    code: error.code,
    message: error.message,
    request_id: exchange.requestId,
  });
}
