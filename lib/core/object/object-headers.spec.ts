import { isCiValidationError } from '../errors';
import { mergeObjectHeaders, objectHeadersToWire } from './object-headers';

function refusal(fn: () => unknown) {
  try {
    fn();
  } catch (err) {
    if (isCiValidationError(err)) return { reason: err.reason, field: err.field, message: err.message };
    throw err;
  }
  throw new Error('expected a CiValidationError');
}

describe('objectHeadersToWire', () => {
  it('gives each field its COS header, lower-case', () => {
    expect(
      objectHeadersToWire({
        cacheControl: 'public, max-age=60',
        contentDisposition: "attachment; filename*=UTF-8''%E5%86%99.jpg",
        metadata: { Owner: '42', trace_id: 'a-b' },
        acl: 'public-read',
        storageClass: 'STANDARD_IA',
        tagging: { kind: 'avatar photo', 'a&b': '1=2' },
      }),
    ).toEqual({
      'cache-control': 'public, max-age=60',
      'content-disposition': "attachment; filename*=UTF-8''%E5%86%99.jpg",
      'x-cos-meta-owner': '42',
      'x-cos-meta-trace_id': 'a-b',
      'x-cos-acl': 'public-read',
      'x-cos-storage-class': 'STANDARD_IA',
      'x-cos-tagging': 'kind=avatar%20photo&a%26b=1%3D2',
    });
  });

  it('sends nothing for nothing', () => {
    expect(objectHeadersToWire(undefined)).toEqual({});
    expect(objectHeadersToWire({})).toEqual({});
  });

  it.each([
    [{ cacheControl: 'max-age=60\r\nx-evil: 1' }, 'route.cacheControl'],
    [{ contentDisposition: 'attachment; filename="写真.jpg"' }, 'route.contentDisposition'],
    [{ metadata: { 'bad name': 'x' } }, 'route.metadata.bad name'],
    [{ metadata: { owner: 'ü' } }, 'route.metadata.owner'],
    [{ acl: 'public-write' as never }, 'route.acl'],
    [{ storageClass: 'GLACIER' as never }, 'route.storageClass'],
    [{ tagging: Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, 'v'])) }, 'route.tagging'],
  ])('refuses %j naming %s', (headers, field) => {
    expect(refusal(() => objectHeadersToWire(headers, 'route'))).toMatchObject({
      reason: 'OPTIONS_INVALID',
      field,
    });
  });
});

describe('mergeObjectHeaders', () => {
  it('lets the route refine the module, metadata and tags key by key', () => {
    expect(
      mergeObjectHeaders(
        { cacheControl: 'no-cache', metadata: { app: 'x' }, tagging: { env: 'prod' } },
        { acl: 'private', metadata: { owner: '1' } },
      ),
    ).toEqual({
      cacheControl: 'no-cache',
      acl: 'private',
      metadata: { app: 'x', owner: '1' },
      tagging: { env: 'prod' },
    });
    expect(mergeObjectHeaders(undefined, { acl: 'private' })).toEqual({ acl: 'private' });
    expect(mergeObjectHeaders({ acl: 'private' }, undefined)).toEqual({ acl: 'private' });
  });
});
