import { getObjectTaggingRequest, listObjectsRequest, putObjectTaggingRequest } from './requests';
import { parseListBucketResult, parseTagging } from './xml';

describe('GET Bucket and object tagging', () => {
  // The response layout of GET Bucket (List Objects), https://cloud.tencent.com/document/product/436/7734
  // (its elements; the keys, dates and ETags here are ours).
  const LIST = `<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult>
  <Name>examplebucket-1250000000</Name>
  <EncodingType>url</EncodingType>
  <Prefix>doc/</Prefix>
  <Marker/>
  <MaxKeys>2</MaxKeys>
  <IsTruncated>true</IsTruncated>
  <NextMarker>doc/exampleobject2.txt</NextMarker>
  <Contents>
    <Key>doc/exampleobject1.txt</Key>
    <LastModified>2020-08-03T08:08:46.000Z</LastModified>
    <ETag>&quot;a2d8d5e3c8b9f2e6d5c1e0a7b4f3c2d1&quot;</ETag>
    <Size>1024</Size>
    <StorageClass>STANDARD</StorageClass>
  </Contents>
  <Contents>
    <Key>doc/exampleobject2.txt</Key>
    <LastModified>2020-08-03T08:09:46.000Z</LastModified>
    <ETag>&quot;0123&quot;</ETag>
    <Size>2048</Size>
  </Contents>
</ListBucketResult>`;

  it('reads a page of objects and where the next page starts', () => {
    expect(parseListBucketResult(LIST)).toEqual({
      objects: [
        {
          key: 'doc/exampleobject1.txt',
          lastModified: new Date('2020-08-03T08:08:46.000Z'),
          size: 1024,
          etag: 'a2d8d5e3c8b9f2e6d5c1e0a7b4f3c2d1',
        },
        {
          key: 'doc/exampleobject2.txt',
          lastModified: new Date('2020-08-03T08:09:46.000Z'),
          size: 2048,
          etag: '0123',
        },
      ],
      isTruncated: true,
      nextMarker: 'doc/exampleobject2.txt',
    });
    expect(listObjectsRequest({ prefix: 'doc/', marker: 'doc/a' })).toEqual({
      method: 'GET',
      key: '',
      query: { prefix: 'doc/', marker: 'doc/a' },
      headers: {},
    });
  });

  it('writes and reads tags as the PUT/GET Object tagging docs show them', () => {
    // https://cloud.tencent.com/document/product/436/42997 (PUT) and 436/42998 (GET): <Tagging><TagSet><Tag>.
    expect(putObjectTaggingRequest('a.jpg', { 'ci-upload': 'confirmed', a: '<&>' })).toMatchObject({
      method: 'PUT',
      query: { tagging: '' },
      body:
        '<Tagging><TagSet><Tag><Key>ci-upload</Key><Value>confirmed</Value></Tag>' +
        '<Tag><Key>a</Key><Value>&lt;&amp;&gt;</Value></Tag></TagSet></Tagging>',
    });
    expect(getObjectTaggingRequest('a.jpg')).toMatchObject({ method: 'GET', query: { tagging: '' } });
    const one = '<Tagging><TagSet><Tag><Key>age</Key><Value>18</Value></Tag></TagSet></Tagging>';
    expect(parseTagging(one)).toEqual({ age: '18' });
    expect(parseTagging('<Tagging><TagSet/></Tagging>')).toEqual({});
  });
});
