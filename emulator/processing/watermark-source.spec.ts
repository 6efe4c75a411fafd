import { Readable } from 'node:stream';
import type { ObjectReader } from '../storage/object-store';
import { createWatermarkLoader } from './watermark-source';

const LOGO = Buffer.from('logo bytes');
const objects = new Map([
  ['b-1250000000/assets/logo.png', LOGO],
  ['b-1250000000/assets/a b.png', LOGO],
  ['c-1250000000/assets/logo.png', LOGO],
  ['b-1250000000/big.png', Buffer.alloc(100)],
]);

const store = {
  openObject: async (bucket: string, key: string): Promise<ObjectReader | undefined> => {
    const bytes = objects.get(`${bucket}/${key}`);
    if (!bytes) return undefined;
    return {
      meta: {
        bucket,
        key,
        size: bytes.length,
        etag: '"x"',
        contentType: 'image/png',
        lastModified: new Date(),
        headers: {},
      },
      stream: () => Readable.from([bytes]),
      close: async () => {},
    };
  },
};

describe('createWatermarkLoader', () => {
  const load = createWatermarkLoader({
    store,
    region: 'ap-guangzhou',
    isOwnHost: (authority) => authority === '127.0.0.1:9000',
    maxBytes: 50,
  });

  it.each([
    'http://b-1250000000.cos.ap-guangzhou.myqcloud.com/assets/logo.png',
    'http://b-1250000000.ci.ap-guangzhou.myqcloud.com/assets/logo.png',
    'http://b-1250000000.cos.ap-guangzhou.myqcloud.com/assets/a%20b.png',
    'http://127.0.0.1:9000/b-1250000000/assets/logo.png',
  ])('reads %s from the same bucket', async (url) => {
    expect(await load('b-1250000000', url)).toEqual(LOGO);
  });

  it.each([
    ['another bucket', 'http://c-1250000000.cos.ap-guangzhou.myqcloud.com/assets/logo.png'],
    ['another region', 'http://b-1250000000.cos.ap-beijing.myqcloud.com/assets/logo.png'],
    ['https', 'https://b-1250000000.cos.ap-guangzhou.myqcloud.com/assets/logo.png'],
    ['a CDN or other host', 'http://cdn.example.com/assets/logo.png'],
    ['a missing object', 'http://b-1250000000.cos.ap-guangzhou.myqcloud.com/assets/none.png'],
    ['an object over maxBytes', 'http://b-1250000000.cos.ap-guangzhou.myqcloud.com/big.png'],
    ['not a URL', 'logo.png'],
    ['the emulator URL without a key', 'http://127.0.0.1:9000/b-1250000000'],
  ])('gives nothing for %s', async (_what, url) => {
    expect(await load('b-1250000000', url)).toBeUndefined();
  });
});
