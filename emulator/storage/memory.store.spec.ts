import { MemoryObjectStore } from './memory.store';

async function text(stream: NodeJS.ReadableStream): Promise<string> {
  let out = '';
  for await (const chunk of stream) out += (chunk as Buffer).toString();
  return out;
}

describe('MemoryObjectStore', () => {
  it('keeps a body as the chunks it arrived in and serves ranges across chunk boundaries', async () => {
    const store = new MemoryObjectStore();
    await store.createBucket('b-1');
    const staged = await store.stageBody('b-1');
    for (const chunk of ['0123', '4567', '89']) staged.sink.write(Buffer.from(chunk));
    await new Promise<void>((resolve) => staged.sink.end(resolve));
    await store.commitObject(staged, {
      bucket: 'b-1',
      key: 'k',
      size: 10,
      etag: '"x"',
      contentType: 'text/plain',
      headers: {},
    });

    const reader = (await store.openObject('b-1', 'k'))!;
    expect(await text(reader.stream())).toBe('0123456789');
    expect(await text(reader.stream({ start: 3, end: 8 }))).toBe('345678');
    expect(await text(reader.stream({ start: 4, end: 7 }))).toBe('4567');
    expect(await text(reader.stream({ start: 9, end: 9 }))).toBe('9');
  });

  it('copies a small slice of a large buffer instead of keeping the large buffer alive', async () => {
    const store = new MemoryObjectStore();
    await store.createBucket('b-1');
    const staged = await store.stageBody('b-1');
    const large = Buffer.alloc(64 * 1024, 1);
    const slice = large.subarray(100, 110);
    staged.sink.write(slice);
    await new Promise<void>((resolve) => staged.sink.end(resolve));
    await store.commitObject(staged, {
      bucket: 'b-1',
      key: 'k',
      size: 10,
      etag: '"x"',
      contentType: 'x',
      headers: {},
    });
    const reader = (await store.openObject('b-1', 'k'))!;
    const [stored] = await reader.stream().toArray();
    expect((stored as Buffer).buffer).not.toBe(large.buffer);
    expect(stored).toEqual(slice);
  });
});
