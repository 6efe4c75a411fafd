import { createHash } from 'node:crypto';
import { cosErrors } from '../errors/cos-errors';
import { isCosHttpError } from '../errors/cos-http.error';
import { parseContentMd5, readSmallBody } from '../http/request-body';
import { type ParsedXml, type ParsedXmlValue, parseXmlDocument, XmlSyntaxError } from '../xml/xml';
import type { HandlerContext } from './handler.types';
import { header } from './handler.utils';

/** Largest configuration body read (ACL, CORS, tagging, a batch delete of 1000 keys). */
const MAX_XML_BODY = 2 * 1024 * 1024;

/**
 * Reads a small request body (a configuration document), checks its `Content-MD5` when sent (400 `BadDigest`);
 * a body past 2 MiB is 400 `MalformedXML`.
 */
export async function readConfigBody(context: HandlerContext): Promise<Buffer> {
  const { exchange } = context;
  const contentMd5 = parseContentMd5(header(exchange.req, 'content-md5'));
  exchange.continueIfExpected();
  let body: Buffer;
  try {
    body = await readSmallBody(exchange.req, MAX_XML_BODY);
  } catch (error) {
    if (isCosHttpError(error) && error.code === 'EntityTooLarge')
      throw cosErrors.malformedXml('The body is too large.');
    throw error;
  }
  if (contentMd5 && !contentMd5.equals(createHash('md5').update(body).digest())) throw cosErrors.badDigest();
  return body;
}

/**
 * Reads a small XML request body ({@link readConfigBody}) and parses it (400 `MalformedXML`); the elements at
 * `arrayPaths` are always arrays.
 */
export async function readXmlBody(
  context: HandlerContext,
  arrayPaths: readonly string[] = [],
): Promise<ParsedXml> {
  const body = await readConfigBody(context);
  try {
    return parseXmlDocument(body.toString('utf8'), arrayPaths);
  } catch (error) {
    if (error instanceof XmlSyntaxError) throw cosErrors.malformedXml();
    throw error;
  }
}

/** The element `name` of an element, when it is one. */
export function child(value: ParsedXmlValue | undefined, name: string): ParsedXmlValue | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? value[name] : undefined;
}

/** The text of an element, when it is text. */
export function textOf(value: ParsedXmlValue | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** The elements of a repeated element (always an array when listed in `arrayPaths`). */
export function listOf(value: ParsedXmlValue | undefined): ParsedXmlValue[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
