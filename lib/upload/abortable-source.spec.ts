import { PassThrough } from 'node:stream';
import { abortableSource } from './abortable-source';

describe('abortableSource', () => {
  it('passes chunks through as Buffers and ends with the source', async () => {
    const source = abortableSource(
      (async function* () {
        yield 'ab';
        yield new Uint8Array([99]);
      })(),
      new AbortController().signal,
      { method: 'PUT', path: '/k' },
    );
    const chunks: Buffer[] = [];
    for await (const chunk of source) chunks.push(chunk);
    expect(Buffer.concat(chunks).toString()).toBe('abc');
    expect(chunks.every((c) => Buffer.isBuffer(c))).toBe(true);
  });

  it('wakes a wait on a silent source when the signal aborts', async () => {
    const silent = new PassThrough(); // never written, never ended
    const controller = new AbortController();
    const source = abortableSource(silent, controller.signal, { method: 'PUT', path: '/k' });
    const waiting = source.next();
    controller.abort(new Error('shutdown'));
    await expect(waiting).rejects.toMatchObject({
      code: 'CI_ABORTED',
      message: 'CI request aborted: PUT /k',
    });
    await expect(source.next()).rejects.toMatchObject({ code: 'CI_ABORTED' });
    silent.destroy();
  });
});
