import { crc32 } from 'node:zlib';
import { Readable } from 'node:stream';
import { cosErrors } from '../errors/cos-errors';
import type { ParsedXmlValue } from '../xml/xml';
import type { CosHandlerRoute, HandlerContext } from './handler.types';
import { readAll } from '../util/read-all';
import { checkReadable } from './restore.handlers';
import { child, readXmlBody, textOf } from './xml-body';

/** The one query the emulator runs: every record, unchanged (`SELECT * FROM COSObject`, an alias allowed). */
const SELECT_ALL = /^\s*select\s+\*\s+from\s+cosobject(\s+(as\s+)?[a-z_][a-z0-9_]*)?\s*;?\s*$/i;

/** Largest object selected from: the emulator reads it whole. */
const MAX_SELECTED_BYTES = 256 * 1024 * 1024;

type SelectRecord = Record<string, unknown> | string[];

/**
 * One message of the event stream COS answers SELECT with (COS's "SELECT Object Content" page, the format the
 * SDK's `sdk/select-stream.js` reads): total length, headers length, prelude CRC-32, string headers (name length,
 * name, type 7, value length, value), payload, message CRC-32.
 */
function eventMessage(headers: Record<string, string>, payload: Buffer = Buffer.alloc(0)): Buffer {
  const encoded = Buffer.concat(
    Object.entries(headers).map(([name, value]) => {
      const n = Buffer.from(name, 'ascii');
      const v = Buffer.from(value, 'utf8');
      const head = Buffer.alloc(1 + n.length + 3);
      head.writeUInt8(n.length, 0);
      n.copy(head, 1);
      head.writeUInt8(7, 1 + n.length);
      head.writeUInt16BE(v.length, 2 + n.length);
      return Buffer.concat([head, v]);
    }),
  );
  const total = 12 + encoded.length + payload.length + 4;
  const prelude = Buffer.alloc(12);
  prelude.writeUInt32BE(total, 0);
  prelude.writeUInt32BE(encoded.length, 4);
  prelude.writeUInt32BE(crc32(prelude.subarray(0, 8)), 8);
  const body = Buffer.concat([prelude, encoded, payload]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body), 0);
  return Buffer.concat([body, crc]);
}

const event = (type: string, contentType: string | undefined, payload?: Buffer) =>
  eventMessage(
    {
      ':message-type': 'event',
      ':event-type': type,
      ...(contentType ? { ':content-type': contentType } : {}),
    },
    payload,
  );

/** Unescapes the delimiters COS takes in XML (`\n`, `\r\n`, `,` ...). */
function delimiter(value: string | undefined, fallback: string): string {
  return value === undefined || value === ''
    ? fallback
    : value.replace(/\\n/g, '\n').replace(/\\r/g, '\r').replace(/\\t/g, '\t');
}

/** The records of the object, as the input serialization reads them; throws a message on bad content. */
function readRecords(text: string, input: ParsedXmlValue | undefined): SelectRecord[] {
  const json = child(input, 'JSON');
  if (json !== undefined) {
    const type = textOf(child(json, 'Type')) ?? 'DOCUMENT';
    if (type !== 'DOCUMENT' && type !== 'LINES')
      throw cosErrors.malformedXml('JSON Type must be DOCUMENT or LINES.');
    const pieces = type === 'LINES' ? text.split('\n').filter((line) => line.trim()) : [text];
    return pieces.map((piece) => {
      const value = JSON.parse(piece) as unknown;
      if (!value || typeof value !== 'object' || Array.isArray(value))
        throw new SyntaxError('a record is not an object');
      return value as Record<string, unknown>;
    });
  }
  const csv = child(input, 'CSV');
  if (csv === undefined) throw cosErrors.malformedXml('InputSerialization must hold JSON or CSV.');
  const rows = text
    .split(delimiter(textOf(child(csv, 'RecordDelimiter')), '\n'))
    .filter((row) => row !== '')
    .map((row) => row.split(delimiter(textOf(child(csv, 'FieldDelimiter')), ',')));
  const header = textOf(child(csv, 'FileHeaderInfo')) ?? 'NONE';
  if (header === 'NONE') return rows;
  const [names = [], ...data] = rows;
  return header === 'USE'
    ? data.map((row) => Object.fromEntries(names.map((name, i) => [name, row[i] ?? ''])))
    : data;
}

/** The records in the output serialization: JSON objects (CSV rows as `_1`, `_2`, ...) or CSV rows. */
function writeRecords(records: SelectRecord[], output: ParsedXmlValue | undefined): Buffer {
  const json = child(output, 'JSON');
  if (json !== undefined) {
    const end = delimiter(textOf(child(json, 'RecordDelimiter')), '\n');
    const objects = records.map((r) =>
      Array.isArray(r) ? Object.fromEntries(r.map((v, i) => [`_${i + 1}`, v])) : r,
    );
    return Buffer.from(objects.map((o) => JSON.stringify(o) + end).join(''), 'utf8');
  }
  const csv = child(output, 'CSV');
  if (csv === undefined) throw cosErrors.malformedXml('OutputSerialization must hold JSON or CSV.');
  const end = delimiter(textOf(child(csv, 'RecordDelimiter')), '\n');
  const sep = delimiter(textOf(child(csv, 'FieldDelimiter')), ',');
  return Buffer.from(
    records.map((r) => (Array.isArray(r) ? r : Object.values(r).map(String)).join(sep) + end).join(''),
    'utf8',
  );
}

/**
 * SELECT Object Content (`POST /<key>?select&select-type=2`, COS's page of that name): a stand-in that runs only
 * `SELECT * FROM COSObject` (another expression is 501 `NotImplemented`) over JSON (DOCUMENT, LINES) or CSV
 * (`FileHeaderInfo` NONE / USE / IGNORE, no quoting), answering the event stream: `Records`, `Stats`, `End`. Content
 * the input serialization cannot read is an `error` message in the stream (code `JSONParsingError`, the emulator's
 * name: COS documents none), after the 200, as a query that fails midway is.
 */
async function selectObjectContent(context: HandlerContext): Promise<void> {
  const { env, bucket, key, exchange, target } = context;
  if (target.query.get('select-type') !== '2') throw cosErrors.invalidArgument('select-type must be 2.');
  const request = (await readXmlBody(context)).SelectRequest;
  const expression = textOf(child(request, 'Expression')) ?? '';
  if (textOf(child(request, 'ExpressionType')) !== 'SQL')
    throw cosErrors.malformedXml('ExpressionType must be SQL.');
  if (!SELECT_ALL.test(expression)) {
    throw cosErrors.notImplemented(`The emulator runs only SELECT * FROM COSObject, not: ${expression}`);
  }
  const meta = env.store.headObject(bucket, key);
  if (!meta) throw cosErrors.noSuchKey();
  checkReadable(meta);
  if (meta.size > MAX_SELECTED_BYTES)
    throw cosErrors.invalidArgument('The emulator selects from objects up to 256 MiB.');
  const reader = await env.store.openObject(bucket, key);
  if (!reader) throw cosErrors.noSuchKey();
  const source = await readAll(reader.stream());
  let messages: Buffer[];
  try {
    const records = readRecords(source.toString('utf8'), child(request, 'InputSerialization'));
    const payload = writeRecords(records, child(request, 'OutputSerialization'));
    const stats = `<Stats><BytesScanned>${source.length}</BytesScanned><BytesProcessed>${source.length}</BytesProcessed><BytesReturned>${payload.length}</BytesReturned></Stats>`;
    messages = [
      event('Records', 'application/octet-stream', payload),
      event('Stats', 'text/xml', Buffer.from(stats, 'utf8')),
      event('End', undefined),
    ];
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    messages = [
      eventMessage({
        ':message-type': 'error',
        ':error-code': 'JSONParsingError',
        ':error-message': `The object is not valid JSON for its InputSerialization: ${error.message}`,
      }),
    ];
  }
  const body = Buffer.concat(messages);
  await exchange.sendStream(
    200,
    { 'Content-Type': 'application/octet-stream', 'Content-Length': body.length },
    Readable.from([body]),
  );
}

/** The SELECT route: SelectObjectContent. */
export const selectRoutes: readonly CosHandlerRoute[] = [
  {
    operation: 'SelectObjectContent',
    method: 'POST',
    scope: 'object',
    subresources: ['select'],
    handler: selectObjectContent,
  },
];
