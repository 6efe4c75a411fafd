import busboy from 'busboy';
import type { IncomingMessage } from 'node:http';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createByteMeter, type MeteredBytes } from './byte-meter';
import { FILES_V2_CODES, FilesV2Error, filesV2Errors } from './files-v2.errors';
import { FormHeaderRepair } from './form-header-repair';

/** The file part of a form, as it was received. */
export type ReceivedFormFile = MeteredBytes;

/** A form read whole: its text fields and, when there was one, its file part. */
export interface ReceivedForm {
  /** Fields by name (names trimmed: the seed sends `name=" insertOnly"`); values as sent. */
  fields: ReadonlyMap<string, string>;
  file?: ReceivedFormFile;
}

/** Options of {@link readFilesV2Form}. */
export interface ReadFilesV2FormOptions {
  /** Largest file part in bytes (-60996 past it). */
  maxFileSize: number;
  /**
   * Called when the file part (`filecontent`, any case) starts, with the fields before it: returns where its
   * bytes go. Throw (or reject) to refuse the request before its file is read.
   */
  openFile(fields: ReadonlyMap<string, string>): Writable | Promise<Writable>;
}

// Text fields of this API are short; biz_attr is the longest.
const LIMITS = { fields: 32, fieldSize: 64 * 1024, parts: 40, files: 1, headerPairs: 20 };

function boundaryOf(contentType: string | undefined): string | undefined {
  const match = /^multipart\/form-data\s*;(?:.*;)?\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(
    contentType ?? '',
  );
  return match ? (match[1] ?? match[2]) : undefined;
}

/**
 * Streams the file part into the sink `openFile` answers for the fields before it; -60996 past `maxFileSize`.
 * On refusal the rest of the part is resumed (read and dropped).
 */
async function receiveFile(
  stream: Readable & { truncated?: boolean },
  fields: ReadonlyMap<string, string>,
  options: ReadFilesV2FormOptions,
  received: (file: ReceivedFormFile) => void,
): Promise<void> {
  try {
    const sink = await options.openFile(fields);
    await pipeline(stream, createByteMeter(received), sink);
    if (stream.truncated) throw filesV2Errors.fileTooLarge(options.maxFileSize);
  } catch (error) {
    stream.resume();
    // A truncated file ends its stream early; busboy's flag says why.
    throw stream.truncated ? filesV2Errors.fileTooLarge(options.maxFileSize) : error;
  }
}

/**
 * Reads a `multipart/form-data` request with busboy, streaming: text fields are collected, the one file part
 * (`filecontent`) streams with backpressure into the sink `openFile` returns, never held here. Tolerates the
 * seed's sample quirks: blanks around field names and values are the caller's to trim, a trailing `;` after a
 * `Content-Disposition` (see {@link FormHeaderRepair}), a malformed closing delimiter after the last field.
 * Rejects with a {@link FilesV2Error}: -4001 for a body that is not a form, -60996 for a file over
 * `maxFileSize`, -4003 when the client leaves early; or with what `openFile` or the sink threw.
 * On rejection the request is left unread (the server drains it); the caller discards what its sink staged.
 */
export function readFilesV2Form(
  req: IncomingMessage,
  options: ReadFilesV2FormOptions,
): Promise<ReceivedForm> {
  return new Promise((resolve, reject) => {
    const boundary = boundaryOf(req.headers['content-type']);
    if (!boundary) {
      reject(filesV2Errors.invalidParameter('the body must be multipart/form-data with a boundary'));
      return;
    }
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        limits: { ...LIMITS, fileSize: options.maxFileSize },
        defParamCharset: 'utf8',
      });
    } catch (cause) {
      reject(
        new FilesV2Error(400, FILES_V2_CODES.invalidParameter, 'the body is not a valid form', { cause }),
      );
      return;
    }
    const repair = new FormHeaderRepair(boundary);
    const fields = new Map<string, string>();
    let file: ReceivedFormFile | undefined;
    let fileTask: Promise<void> | undefined;
    let fileOpen = false;
    let settled = false;

    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      req.unpipe(repair);
      repair.unpipe(parser);
      parser.removeAllListeners();
      parser.on('error', () => undefined);
      parser.destroy();
      reject(error);
    };
    const finish = () => {
      if (settled) return;
      (fileTask ?? Promise.resolve()).then(() => {
        if (settled) return;
        settled = true;
        resolve({ fields, file });
      }, fail);
    };

    parser.on('field', (name, value, info) => {
      if (info.nameTruncated || info.valueTruncated) {
        fail(filesV2Errors.invalidParameter(`form field ${name.trim()} is too long`));
        return;
      }
      fields.set(name.trim(), value);
    });
    parser.on('file', (name, stream, _info) => {
      // A refusal destroys the parser, which errors the file stream it is feeding ("Unexpected end of file"):
      // the refusal is what answers, so that error is expected, and must not go unheard (it would end the process).
      stream.on('error', () => undefined);
      if (name.trim().toLowerCase() !== 'filecontent' || fileTask) {
        stream.resume();
        return;
      }
      fileOpen = true;
      fileTask = receiveFile(stream, new Map(fields), options, (received) => (file = received)).finally(
        () => (fileOpen = false),
      );
      fileTask.catch(fail);
    });
    parser.on('close', finish);
    parser.on('error', (error: Error) => {
      // The seed's image_process sample ends `--boundary-`: accept the fields when the body came whole and no
      // file part was cut short.
      if (/unexpected end of form/i.test(error.message) && req.complete && !fileOpen) {
        finish();
        return;
      }
      fail(
        req.complete
          ? new FilesV2Error(400, FILES_V2_CODES.invalidParameter, `the form is malformed: ${error.message}`)
          : filesV2Errors.incompleteBody(),
      );
    });
    req.on('aborted', () => fail(filesV2Errors.incompleteBody()));
    req.on('close', () => {
      if (!req.complete) fail(filesV2Errors.incompleteBody());
    });
    req.on('error', () => fail(filesV2Errors.incompleteBody()));
    req.pipe(repair).pipe(parser);
  });
}

/** A trimmed scalar field, or `undefined` when absent or blank. */
export function scalarField(fields: ReadonlyMap<string, string>, name: string): string | undefined {
  const value = fields.get(name)?.trim();
  return value === undefined || value === '' ? undefined : value;
}
