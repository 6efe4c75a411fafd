import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Exchange } from '../http/exchange';
import { FILES_V2_OPERATIONS } from '../routing/operations';
import { createHash } from 'node:crypto';
import type {
  PicProcessingOutcome,
  PicProcessor,
  PicSourceObject,
  PicTrigger,
} from '../processing/pic-processor';
import { type PicOperationsEntrance, runPicOperations } from '../processing/run-pic-operations';
import {
  NoSuchUploadError,
  type ObjectMeta,
  type ObjectStore,
  type StagedBody,
  type StoredHeaders,
} from '../storage/object-store';
import { readAll } from '../util/read-all';
import { createByteMeter, type MeteredBytes } from './byte-meter';
import { ChunkCollector } from './chunk-collector';
import { type FilesV2LinkBuilder, sendFilesV2Success } from './envelope';
import { FilesV2FileWriter, sniffContentType } from './file-writer';
import { FILES_V2_CODES, FilesV2Error, filesV2Errors, picProcessorError } from './files-v2.errors';
import type { FilesV2Address } from './files-v2.path';
import { readFilesV2Form, type ReceivedForm, type ReceivedFormFile, scalarField } from './multipart-form';
import type { SliceSession, SliceSessions } from './slice-sessions';

export { FILES_V2_OPERATIONS };

/** An `op` of {@link FILES_V2_OPERATIONS}. */
export type FilesV2Op = keyof typeof FILES_V2_OPERATIONS;

/** Metadata header `biz_attr` is stored in, percent-encoded UTF-8 (a header cannot carry it raw). */
export const BIZ_ATTR_HEADER = 'x-cos-meta-biz-attr';

/** `slice_size` answered when init proposes none: 1 MiB. */
const DEFAULT_SLICE_SIZE = 1024 * 1024;

/** What the operations work with. */
export interface FilesV2OperationsConfig {
  store: ObjectStore;
  links: FilesV2LinkBuilder;
  /** Largest file in bytes (`op=upload` file part, `filesize` of a slice upload). */
  maxObjectSize: number;
  sessions: SliceSessions;
  /** The emulator's processing port, the one the XML API's handlers use (`extensions.picProcessor`). */
  picProcessor: PicProcessor;
}

/** One request being served. */
interface Request {
  exchange: Exchange;
  address: FilesV2Address;
  /** The `Pic-Operations` header, when sent (already checked by the dispatcher). */
  picOperations?: string;
  /** Where the file part went, so that a failure can drop it. */
  receiver?: FileReceiver;
}

/** Where a file part was received: kept in memory, or staged in the store. */
interface FileReceiver {
  collector?: ChunkCollector;
  staged?: StagedBody;
  /** For `upload_slice_data`: the session and offset of the slice, and the most bytes it may have. */
  slice?: { session: SliceSession; offset: number; room: number };
}

function opOf(fields: ReadonlyMap<string, string>): FilesV2Op {
  const op = scalarField(fields, 'op');
  if (op === undefined) throw filesV2Errors.invalidParameter('the form has no op field');
  if (!Object.hasOwn(FILES_V2_OPERATIONS, op)) {
    throw filesV2Errors.invalidParameter(
      `op ${JSON.stringify(op)} is not served (${Object.keys(FILES_V2_OPERATIONS).join(', ')})`,
    );
  }
  return op as FilesV2Op;
}

/** `insertOnly`: 0 or 1; absent means 1, as the v4 API documents ("no overwrite by default"). */
function insertOnlyOf(fields: ReadonlyMap<string, string>): 0 | 1 {
  const value = scalarField(fields, 'insertOnly');
  if (value === undefined) return 1;
  if (value !== '0' && value !== '1') throw filesV2Errors.invalidParameter('insertOnly must be 0 or 1');
  return value === '1' ? 1 : 0;
}

function integerOf(fields: ReadonlyMap<string, string>, name: string, min: number): number | undefined {
  const value = scalarField(fields, name);
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min) {
    throw filesV2Errors.invalidParameter(`${name} must be an integer of at least ${min}`);
  }
  return n;
}

function requiredInteger(fields: ReadonlyMap<string, string>, name: string, min: number): number {
  const n = integerOf(fields, name, min);
  if (n === undefined) throw filesV2Errors.invalidParameter(`the form has no ${name} field`);
  return n;
}

function shaOf(fields: ReadonlyMap<string, string>): string | undefined {
  const sha = scalarField(fields, 'sha');
  if (sha === undefined) return undefined;
  if (!/^[0-9a-f]{40}$/i.test(sha)) throw filesV2Errors.invalidParameter('sha must be a SHA-1 in hex');
  return sha.toLowerCase();
}

function checkSha(expected: string | undefined, actual: string): void {
  if (expected !== undefined && expected !== actual) {
    throw new FilesV2Error(
      400,
      FILES_V2_CODES.shaMismatch,
      `the file's SHA-1 is ${actual}, the sha field says ${expected}`,
    );
  }
}

function bizAttrHeaders(bizAttr: string | undefined): StoredHeaders {
  return bizAttr === undefined ? {} : { [BIZ_ATTR_HEADER]: encodeURIComponent(bizAttr) };
}

function requireFile(form: ReceivedForm): ReceivedFormFile {
  if (!form.file) throw new FilesV2Error(400, FILES_V2_CODES.noFile, 'the form has no filecontent part');
  return form.file;
}

/**
 * The five `op`s of the files-v2 API, each reading its form, checking its fields, running `Pic-Operations` with the
 * engine before anything is stored (a failed processing stores nothing), storing, and answering the envelope.
 */
export class FilesV2Operations {
  private readonly writer: FilesV2FileWriter;

  constructor(private readonly config: FilesV2OperationsConfig) {
    this.writer = new FilesV2FileWriter(config.store);
  }

  /** Reads the form of one request and runs its `op`; throws a {@link FilesV2Error} to refuse it. */
  async run(exchange: Exchange, address: FilesV2Address, picOperations: string | undefined): Promise<void> {
    const request: Request = { exchange, address, picOperations };
    try {
      const form = await readFilesV2Form(exchange.req, {
        maxFileSize: this.config.maxObjectSize,
        openFile: (fields) => this.openFile(request, fields),
      });
      const op = opOf(form.fields);
      exchange.operation = FILES_V2_OPERATIONS[op];
      if (request.receiver && op !== 'upload' && op !== 'upload_slice_data') {
        throw filesV2Errors.invalidParameter(`op ${op} takes no file`);
      }
      switch (op) {
        case 'upload':
          return await this.upload(request, form);
        case 'image_process':
          return await this.imageProcess(request, form);
        case 'upload_slice_init':
          return await this.sliceInit(request, form);
        case 'upload_slice_data':
          return await this.sliceData(request, form);
        case 'upload_slice_finish':
          return await this.sliceFinish(request, form);
      }
    } catch (error) {
      await request.receiver?.staged?.discard().catch(() => undefined);
      throw error;
    }
  }

  /** The file part starts: decide from the fields before it where its bytes go (or refuse it unread). */
  private async openFile(request: Request, fields: ReadonlyMap<string, string>): Promise<Writable> {
    const op = opOf(fields);
    request.exchange.operation = FILES_V2_OPERATIONS[op];
    const { bucket, key } = request.address;
    if (op === 'upload') {
      // Refuse an insert-only upload of an existing file before its bytes are read.
      if (scalarField(fields, 'insertOnly') !== undefined) {
        this.writer.checkAbsent(bucket, key, insertOnlyOf(fields));
      }
      if (request.picOperations !== undefined) {
        await this.validate(request, 'PutObject');
        // The engine needs the bytes in memory: keep them there, and stage them only once processing succeeded.
        const max = this.config.maxObjectSize;
        const collector = new ChunkCollector(max, () => filesV2Errors.fileTooLarge(max));
        request.receiver = { collector };
        return collector;
      }
      const staged = await this.config.store.stageBody(bucket);
      request.receiver = { staged };
      return staged.sink;
    }
    if (op === 'upload_slice_data') {
      const session = this.config.sessions.get(scalarField(fields, 'session'), bucket, key);
      const offset = requiredInteger(fields, 'offset', 0);
      const room = this.config.sessions.room(session, offset);
      const staged = await this.config.store.stageBody(bucket, session.id);
      request.receiver = { staged, slice: { session, offset, room } };
      return staged.sink;
    }
    throw filesV2Errors.invalidParameter(`op ${op} takes no file`);
  }

  /** `op=upload`: the file part, `insertOnly`, `sha`, `biz_attr`; processed with `Pic-Operations` when sent. */
  private async upload(request: Request, form: ReceivedForm): Promise<void> {
    const { bucket, key } = request.address;
    const file = requireFile(form);
    const receiver = request.receiver!;
    const insertOnly = insertOnlyOf(form.fields);
    checkSha(shaOf(form.fields), file.sha1);
    const attributes = { headers: bizAttrHeaders(form.fields.get('biz_attr')) };
    const release = this.writer.claim([{ bucket, key }], insertOnly);
    let result: PicProcessingOutcome | undefined;
    try {
      if (request.picOperations !== undefined) {
        const source = receiver.collector!.toBuffer();
        result = await this.runPicOperations(request, 'PutObject', {
          validated: true, // when the file part started (openFile)
          readSource: async () => ({ bytes: source, original: await this.sourceObject(request, source) }),
          storeOriginal: () => this.writer.write(bucket, key, [source], attributes),
        });
      } else {
        await this.writer.commit(receiver.staged!, bucket, key, file, attributes);
        receiver.staged = undefined;
      }
    } finally {
      release();
    }
    this.answerFile(request, result);
  }

  /** `op=image_process`: processes the stored file; `insertOnly` 1 refuses outputs that would overwrite a file. */
  private async imageProcess(request: Request, form: ReceivedForm): Promise<void> {
    const { bucket, key } = request.address;
    const insertOnly = insertOnlyOf(form.fields);
    if (request.picOperations === undefined) {
      throw filesV2Errors.invalidParameter('op=image_process needs a Pic-Operations header');
    }
    // The header is refused (validation) before the file is looked for (reading the source).
    let original: ObjectMeta | undefined;
    let release: () => void = () => undefined;
    let result: PicProcessingOutcome;
    try {
      result = await this.runPicOperations(request, 'ImageProcess', {
        sourceSize: this.config.store.headObject(bucket, key)?.size,
        readSource: async () => {
          const reader = await this.config.store.openObject(bucket, key);
          if (!reader) {
            throw new FilesV2Error(
              404,
              FILES_V2_CODES.fileNotFound,
              `${key} does not exist in bucket ${bucket}`,
            );
          }
          original = reader.meta;
          return { bytes: await readAll(reader.stream()), original };
        },
        checkOutputs: (outputs) => {
          release = this.writer.claim(outputs, insertOnly);
        },
        storeOriginal: async () => original!,
      });
    } finally {
      release();
    }
    sendFilesV2Success(request.exchange, {
      timecost: this.timecost(request),
      image_info: this.config.links.imageInfo(result),
    });
  }

  /** `op=upload_slice_init`: opens a session (`filesize`, `slice_size`, `insertOnly`, `sha`, `biz_attr`). */
  private async sliceInit(request: Request, form: ReceivedForm): Promise<void> {
    const { bucket, key } = request.address;
    const fileSize = requiredInteger(form.fields, 'filesize', 1);
    if (fileSize > this.config.maxObjectSize) throw filesV2Errors.fileTooLarge(this.config.maxObjectSize);
    const sliceSize = integerOf(form.fields, 'slice_size', 1) ?? DEFAULT_SLICE_SIZE;
    const insertOnly = insertOnlyOf(form.fields);
    this.writer.checkAbsent(bucket, key, insertOnly);
    if (request.picOperations !== undefined) {
      await this.validate(request, 'CompleteMultipartUpload', fileSize);
    }
    const session = await this.config.sessions.open({
      bucket,
      key,
      fileSize,
      sliceSize,
      insertOnly,
      sha: shaOf(form.fields),
      bizAttr: form.fields.get('biz_attr'),
      picOperations: request.picOperations,
    });
    sendFilesV2Success(request.exchange, { session: session.id, slice_size: sliceSize, serial_upload: 0 });
  }

  /** `op=upload_slice_data`: stores one slice (`session`, `offset`, the file part) as a part of the session. */
  private async sliceData(request: Request, form: ReceivedForm): Promise<void> {
    const file = requireFile(form);
    const receiver = request.receiver!;
    const { session, offset, room } = receiver.slice!;
    if (file.size === 0) throw filesV2Errors.invalidParameter(`the slice at ${offset} is empty`);
    if (file.size > room) {
      throw filesV2Errors.invalidParameter(`the slice at ${offset} goes past the end of the file`);
    }
    const partNumber = this.config.sessions.partNumberFor(session, offset);
    await this.withSession(() =>
      this.config.store.commitPart(receiver.staged!, {
        bucket: session.bucket,
        uploadId: session.id,
        partNumber,
        size: file.size,
        etag: `"${file.md5.toString('hex')}"`,
      }),
    );
    receiver.staged = undefined;
    this.config.sessions.putSlice(session, offset, { partNumber, size: file.size });
    sendFilesV2Success(request.exchange, { session: session.id, offset });
  }

  /** `op=upload_slice_finish`: assembles the slices, processes them with `Pic-Operations` (finish's, else init's). */
  private async sliceFinish(request: Request, form: ReceivedForm): Promise<void> {
    const { bucket, key } = request.address;
    const { sessions } = this.config;
    const session = sessions.get(scalarField(form.fields, 'session'), bucket, key);
    const fileSize = integerOf(form.fields, 'filesize', 0);
    if (fileSize !== undefined && fileSize !== session.fileSize) {
      throw filesV2Errors.invalidParameter(
        `filesize ${fileSize} is not the ${session.fileSize} of upload_slice_init`,
      );
    }
    const partNumbers = sessions.assemble(session);
    const sha = shaOf(form.fields) ?? session.sha;
    const checkWhole = (metered: MeteredBytes) => checkSha(sha, metered.sha1);
    const attributes = { headers: bizAttrHeaders(session.bizAttr) };
    const picOperations = request.picOperations ?? session.picOperations;
    if (request.picOperations !== undefined) {
      await this.validate(request, 'CompleteMultipartUpload', session.fileSize);
    }
    const release = this.writer.claim([{ bucket, key }], session.insertOnly);
    let result: PicProcessingOutcome | undefined;
    try {
      const assembled = await this.withSession(() =>
        this.config.store.openUploadParts(bucket, session.id, partNumbers),
      );
      if (picOperations !== undefined) {
        result = await this.runPicOperations({ ...request, picOperations }, 'CompleteMultipartUpload', {
          validated: true, // above, or at upload_slice_init
          readSource: async () => {
            const collector = new ChunkCollector(session.fileSize, () =>
              filesV2Errors.invalidParameter('the slices hold more than filesize'),
            );
            let metered: MeteredBytes | undefined;
            await pipeline(
              assembled,
              createByteMeter((m) => (metered = m)),
              collector,
            );
            checkWhole(metered!);
            const source = collector.toBuffer();
            return { bytes: source, original: await this.sourceObject(request, source) };
          },
          storeOriginal: (source) => this.writer.write(bucket, key, [source], attributes),
        });
      } else {
        await this.writer.write(bucket, key, assembled, attributes, checkWhole);
      }
    } finally {
      release();
    }
    await sessions.end(session);
    this.answerFile(request, result);
  }

  /**
   * Checks `Pic-Operations` through the processing port before the source is read (header, rules, styles, target
   * buckets, a size already known to be over the limit); a refusal becomes the envelope error.
   */
  private async validate(request: Request, trigger: PicTrigger, sourceSize?: number): Promise<void> {
    try {
      await this.config.picProcessor.validate({
        trigger,
        bucket: request.address.bucket,
        key: request.address.key,
        picOperations: request.picOperations!,
        sourceSize,
      });
    } catch (error) {
      throw picProcessorError(error);
    }
  }

  /** The source object the port is told about: not stored yet (upload, slice finish). */
  private async sourceObject(request: Request, source: Buffer): Promise<PicSourceObject> {
    return {
      bucket: request.address.bucket,
      key: request.address.key,
      size: source.length,
      etag: `"${createHash('md5').update(source).digest('hex')}"`,
      contentType: await sniffContentType(source.subarray(0, 4100)),
    };
  }

  /**
   * Runs the one `Pic-Operations` sequence for this request (validation, source, processing, outputs checked for
   * their buckets, staged, original stored, outputs committed); a refusal becomes the envelope error with CI's
   * legacy code. Answers what was processed, for `image_info`.
   */
  private async runPicOperations(
    request: Request,
    trigger: PicTrigger,
    entrance: Pick<PicOperationsEntrance, 'readSource' | 'storeOriginal'> &
      Partial<Pick<PicOperationsEntrance, 'sourceSize' | 'validated' | 'checkOutputs'>>,
  ): Promise<PicProcessingOutcome> {
    const { bucket, key } = request.address;
    try {
      const report = await runPicOperations(
        {
          trigger,
          bucket,
          key,
          picOperations: request.picOperations!,
          requestId: request.exchange.requestId,
          ...entrance,
          checkOutputs: (outputs) => {
            this.writer.checkBuckets(outputs);
            entrance.checkOutputs?.(outputs);
          },
        },
        {
          processor: this.config.picProcessor,
          store: this.config.store,
          // The files-v2 answer links files itself (`access_url`, ...); the COS `Location`s go unused.
          origin: { host: request.exchange.req.headers.host ?? '', style: 'path' },
        },
      );
      return report.outcome;
    } catch (error) {
      throw picProcessorError(error);
    }
  }

  /** Runs a store call on a session's upload; the upload gone (aborted, reset) is -4008. */
  private async withSession<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof NoSuchUploadError)) throw error;
      throw new FilesV2Error(404, FILES_V2_CODES.noSuchSession, 'the slice session ended meanwhile');
    }
  }

  /** The upload / slice-finish answer: the file's links, `timecost`, and `image_info` when it was processed. */
  private answerFile(request: Request, result: PicProcessingOutcome | undefined): void {
    const { bucket, key } = request.address;
    const data: Record<string, unknown> = {
      ...this.config.links.links(bucket, key),
      timecost: this.timecost(request),
    };
    if (result) data.image_info = this.config.links.imageInfo(result);
    sendFilesV2Success(request.exchange, data);
  }

  private timecost(request: Request): number {
    return Math.max(0, Date.now() - request.exchange.startedAt);
  }
}
