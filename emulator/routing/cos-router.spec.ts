import { CosRouter, PROCESSING_SUBRESOURCE, subresourcesOf } from './cos-router';
import { QueryParams } from './query-params';

describe('CosRouter', () => {
  const router = new CosRouter<string>()
    .add({ operation: 'PutObject', method: 'PUT', scope: 'object', subresources: [], handler: 'put' })
    .add({
      operation: 'UploadPart',
      method: 'PUT',
      scope: 'object',
      subresources: ['uploadId', 'partNumber'],
      handler: 'part',
    })
    .add({
      operation: 'CompleteMultipartUpload',
      method: 'POST',
      scope: 'object',
      subresources: ['uploadId'],
      handler: 'complete',
    })
    .add({
      operation: 'ListParts',
      method: 'GET',
      scope: 'object',
      subresources: ['uploadId'],
      handler: 'list',
    });

  const match = (method: string, query: string) => router.match(method, 'object', QueryParams.parse(query));

  it('dispatches by method and the exact set of sub-resources, ignoring plain parameters', () => {
    expect(match('PUT', '').route?.handler).toBe('put');
    expect(match('PUT', 'partNumber=2&uploadId=x').route?.handler).toBe('part');
    expect(match('POST', 'uploadId=x').route?.handler).toBe('complete');
    expect(match('GET', 'uploadId=x&max-parts=5').route?.handler).toBe('list');
    expect(match('PUT', 'x-unknown=1').route?.handler).toBe('put');
  });

  it('a parameter without a value that tunes nothing is a sub-resource; processing parameters are one', () => {
    expect(match('PUT', 'origin').error).toEqual(expect.objectContaining({ status: 501 }));
    expect(match('PUT', 'prefix&versionId').route?.handler).toBe('put');
    expect(subresourcesOf(QueryParams.parse('imageMogr2/thumbnail/100x&sign=x'))).toEqual([
      PROCESSING_SUBRESOURCE,
    ]);
  });

  it('a route with a header is chosen when the request carries it', () => {
    const copying = new CosRouter<string>()
      .add({ operation: 'PutObject', method: 'PUT', scope: 'object', subresources: [], handler: 'put' })
      .add({
        operation: 'PutObjectCopy',
        method: 'PUT',
        scope: 'object',
        subresources: [],
        header: 'x-cos-copy-source',
        handler: 'copy',
      });
    const query = QueryParams.parse('');
    expect(copying.match('PUT', 'object', query, { 'x-cos-copy-source': 'b' }).route?.handler).toBe('copy');
    expect(copying.match('PUT', 'object', query, {}).route?.handler).toBe('put');
  });

  it('405 when another method serves the request, 501 when nothing does', () => {
    expect(match('DELETE', 'uploadId=x').error).toEqual(
      expect.objectContaining({ status: 405, code: 'MethodNotAllowed' }),
    );
    expect(match('PUT', 'acl').error).toEqual(
      expect.objectContaining({ status: 501, code: 'NotImplemented' }),
    );
    expect(match('PUT', 'uploadId=x').error).toEqual(expect.objectContaining({ status: 405 }));
  });

  it('refuses two routes for the same request', () => {
    expect(() =>
      router.add({
        operation: 'UploadPartCopy',
        method: 'PUT',
        scope: 'object',
        subresources: ['partNumber', 'uploadId'],
        handler: 'x',
      }),
    ).toThrow(/clashes with UploadPart/);
  });
});
