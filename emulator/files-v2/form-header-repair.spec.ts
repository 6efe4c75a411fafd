import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { FormHeaderRepair } from './form-header-repair';

const B = 'b0undary';

/** Runs `input` through the repair in chunks of `size` bytes and returns the output. */
async function repaired(input: Buffer, size: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for (let i = 0; i < input.length; i += size) chunks.push(input.subarray(i, i + size));
  const out: Buffer[] = [];
  for await (const chunk of Readable.from(chunks).pipe(new FormHeaderRepair(B))) out.push(chunk as Buffer);
  return Buffer.concat(out);
}

describe('FormHeaderRepair', () => {
  // File bytes that look like part headers (but hold no delimiter) must come through untouched.
  const trap = Buffer.from('\r\nContent-Disposition: form-data; name="x"; \r\n\r\n--b0undar');
  const file = Buffer.concat([randomBytes(300), trap, randomBytes(300)]);
  const head = (name: string) => `--${B}\r\nContent-Disposition: form-data; name="${name}"; \r\n\r\n`;
  const input = Buffer.concat([
    Buffer.from(`${head('op')}upload\r\n`),
    Buffer.from(
      `--${B}\r\ncontent-disposition: form-data; name="filecontent"; filename="f";  \r\nContent-Type: a/b; x=1;\r\n\r\n`,
    ),
    file,
    Buffer.from(`\r\n--${B}--\r\n`),
  ]);
  const expected = Buffer.concat([
    Buffer.from(`--${B}\r\nContent-Disposition: form-data; name="op"\r\n\r\nupload\r\n`),
    Buffer.from(
      `--${B}\r\ncontent-disposition: form-data; name="filecontent"; filename="f"\r\nContent-Type: a/b; x=1;\r\n\r\n`,
    ),
    file,
    Buffer.from(`\r\n--${B}--\r\n`),
  ]);

  it('drops the trailing ";" of Content-Disposition lines only, whatever the chunking', async () => {
    for (const size of [1, 2, 3, 7, 13, 64, 100, 1000, input.length]) {
      expect(await repaired(input, size)).toEqual(expected);
    }
  });

  it('leaves a well-formed form byte for byte as it was', async () => {
    for (const size of [1, 5, 4096]) expect(await repaired(expected, size)).toEqual(expected);
  });

  it('passes a body without any delimiter through unchanged', async () => {
    const body = randomBytes(5000);
    expect(await repaired(body, 333)).toEqual(body);
  });
});
