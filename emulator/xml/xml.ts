import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';

const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

const builder = new XMLBuilder({ processEntities: true, suppressEmptyNode: false });

/** A value the XML builder turns into elements: objects nest, arrays repeat, `undefined` is left out. */
export type XmlTree = { [element: string]: XmlContent };
/** Content of one element. */
export type XmlContent = string | number | boolean | undefined | XmlTree | XmlContent[];

/**
 * Builds an XML document (with declaration) from a tree; text is escaped.
 *
 * @example
 * buildXml({ InitiateMultipartUploadResult: { Bucket: 'b-1250000000', Key: 'a.jpg', UploadId: id } })
 */
export function buildXml(tree: XmlTree): string {
  return XML_DECLARATION + (builder.build(tree) as string);
}

/** Thrown by {@link parseXmlDocument} when the text is not well-formed XML. */
export class XmlSyntaxError extends Error {
  override readonly name = 'XmlSyntaxError';
}

/** A parsed element: text stays a string, repeated elements become arrays (see `arrayPaths`). */
export type ParsedXml = { [element: string]: ParsedXmlValue };
/** A parsed element's value. */
export type ParsedXmlValue = string | ParsedXml | ParsedXmlValue[];

/**
 * Parses a client's XML body (values stay strings); the elements at `arrayPaths` (`Root.Child`) are always
 * arrays. Throws {@link XmlSyntaxError} for anything it cannot parse: a malformed document, and one the parser
 * refuses to expand (an entity-expansion bomb goes past fast-xml-parser's entity limits).
 */
export function parseXmlDocument(xml: string, arrayPaths: readonly string[] = []): ParsedXml {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new XmlSyntaxError(valid.err.msg);
  const parser = new XMLParser({
    ignoreAttributes: true,
    ignoreDeclaration: true,
    parseTagValue: false,
    trimValues: true,
    isArray: (_name, jpath) => arrayPaths.includes(String(jpath)),
  });
  let doc: unknown;
  try {
    doc = parser.parse(xml);
  } catch (error) {
    throw new XmlSyntaxError(error instanceof Error ? error.message : String(error), { cause: error });
  }
  if (!doc || typeof doc !== 'object') throw new XmlSyntaxError('empty document');
  return doc as ParsedXml;
}
