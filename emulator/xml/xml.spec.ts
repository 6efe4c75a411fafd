import { buildXml, parseXmlDocument, XmlSyntaxError } from './xml';

describe('parseXmlDocument: one parser for every XML body', () => {
  it('reads a document, with the listed elements always arrays and text left as strings', () => {
    const doc = parseXmlDocument('<Delete><Object><Key>a&amp;b</Key></Object></Delete>', ['Delete.Object']);
    expect(doc).toEqual({ Delete: { Object: [{ Key: 'a&b' }] } });
  });

  it.each([
    ['a malformed document', '<Delete><Object></Delete>'],
    ['an empty body', ''],
    [
      'an entity-expansion bomb (25 MB from 25 KB)',
      `<!DOCTYPE d [<!ENTITY a "${'x'.repeat(5000)}">]><Delete><Object><Key>${'&a;'.repeat(5000)}</Key></Object></Delete>`,
    ],
    ['an entity past the parser size limit', `<!DOCTYPE d [<!ENTITY a "${'x'.repeat(20000)}">]><A>&a;</A>`],
  ])('refuses %s with XmlSyntaxError (answered 400 MalformedXML)', (_what, xml) => {
    expect(() => parseXmlDocument(xml)).toThrow(XmlSyntaxError);
  });

  it('builds what it reads back', () => {
    const xml = buildXml({ Tagging: { TagSet: { Tag: [{ Key: 'k', Value: '<v>' }] } } });
    expect(parseXmlDocument(xml, ['Tagging.TagSet.Tag'])).toEqual({
      Tagging: { TagSet: { Tag: [{ Key: 'k', Value: '<v>' }] } },
    });
  });
});
