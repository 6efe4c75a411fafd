import { Readable } from 'node:stream';
import { Crc64, crc64OfStream } from './crc64';

/** A plain bit-by-bit CRC-64/XZ, the catalogue's definition, to check the library against. */
function reference(bytes: Buffer): string {
  const poly = 0xc96c5795d7870f42n;
  let crc = 0xffffffffffffffffn;
  for (const byte of bytes) {
    crc ^= BigInt(byte);
    for (let bit = 0; bit < 8; bit++) crc = crc & 1n ? (crc >> 1n) ^ poly : crc >> 1n;
  }
  return (crc ^ 0xffffffffffffffffn).toString();
}

describe('Crc64 (CRC-64/XZ, as COS answers x-cos-hash-crc64ecma)', () => {
  it('gives the catalogue check value and matches a bit-by-bit reference', () => {
    expect(new Crc64().update(Buffer.from('123456789')).value).toBe('11051210869376104954');
    const bytes = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 37) & 0xff));
    expect(new Crc64().update(bytes).value).toBe(reference(bytes));
    expect(new Crc64().value).toBe('0');
  });

  it('continues from a previous value, and takes buffers larger than the asm.js heap in slices', async () => {
    const bytes = Buffer.alloc(40 * 1024 * 1024, 7);
    const whole = new Crc64().update(bytes).value;
    const half = new Crc64().update(bytes.subarray(0, 1234567)).value;
    expect(new Crc64(half).update(bytes.subarray(1234567)).value).toBe(whole);
    expect(await crc64OfStream(Readable.from([bytes.subarray(0, 10), bytes.subarray(10)]))).toBe(whole);
  });
});
