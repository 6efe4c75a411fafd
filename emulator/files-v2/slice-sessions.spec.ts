import { MemoryObjectStore } from '../storage/memory.store';
import { isFilesV2Error } from './files-v2.errors';
import { SliceSessions } from './slice-sessions';

const BUCKET = 'b-1250000000';

async function setup(clock = () => 0) {
  const store = new MemoryObjectStore();
  await store.createBucket(BUCKET);
  const sessions = new SliceSessions(store, clock, 1000);
  const session = await sessions.open({
    bucket: BUCKET,
    key: 'a.bin',
    fileSize: 10,
    sliceSize: 4,
    insertOnly: 0,
  });
  return { store, sessions, session };
}

function codeOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (error) {
    if (isFilesV2Error(error)) return error.code;
    throw error;
  }
  return undefined;
}

describe('SliceSessions', () => {
  it('opens a multipart upload of the store per session and finds it only for its own file', async () => {
    const { store, sessions, session } = await setup();
    expect(store.getMultipartUpload(BUCKET, session.id)?.key).toBe('a.bin');
    expect(sessions.get(session.id, BUCKET, 'a.bin')).toBe(session);
    expect(codeOf(() => sessions.get(session.id, BUCKET, 'b.bin'))).toBe(-4008);
    expect(codeOf(() => sessions.get('nope', BUCKET, 'a.bin'))).toBe(-4008);
    expect(codeOf(() => sessions.get(undefined, BUCKET, 'a.bin'))).toBe(-4008);
  });

  it('numbers offsets as they first arrive and assembles slices in file order', async () => {
    const { sessions, session } = await setup();
    const order = [8, 0, 4, 0];
    const numbers = order.map((offset) => sessions.partNumberFor(session, offset));
    expect(numbers).toEqual([1, 2, 3, 2]);
    sessions.putSlice(session, 8, { partNumber: 1, size: 2 });
    sessions.putSlice(session, 0, { partNumber: 2, size: 4 });
    expect(codeOf(() => sessions.assemble(session))).toBe(-4005);
    sessions.putSlice(session, 4, { partNumber: 3, size: 4 });
    expect(sessions.assemble(session)).toEqual([2, 3, 1]);
  });

  it('refuses gaps, overlaps, a short file and offsets outside it', async () => {
    const { sessions, session } = await setup();
    expect(codeOf(() => sessions.room(session, 10))).toBe(-4001);
    expect(sessions.room(session, 6)).toBe(4);
    sessions.putSlice(session, 0, { partNumber: 1, size: 5 });
    sessions.putSlice(session, 4, { partNumber: 2, size: 6 });
    expect(() => sessions.assemble(session)).toThrow(/overlaps/);
    sessions.putSlice(session, 4, { partNumber: 2, size: 3 });
    expect(() => sessions.assemble(session)).toThrow(/overlaps/);
    session.slices.delete(4);
    expect(() => sessions.assemble(session)).toThrow(/bytes 5-9 of the file were never sent/);
  });

  it('ends a session: at finish, when it expired, or when its upload vanished', async () => {
    let now = 0;
    const { store, sessions, session } = await setup(() => now);
    await sessions.end(session);
    expect(store.getMultipartUpload(BUCKET, session.id)).toBeUndefined();
    expect(codeOf(() => sessions.get(session.id, BUCKET, 'a.bin'))).toBe(-4008);

    const idle = await sessions.open({
      bucket: BUCKET,
      key: 'a.bin',
      fileSize: 1,
      sliceSize: 1,
      insertOnly: 1,
    });
    now = 1001;
    await sessions.open({ bucket: BUCKET, key: 'c.bin', fileSize: 1, sliceSize: 1, insertOnly: 1 });
    expect(store.getMultipartUpload(BUCKET, idle.id)).toBeUndefined();
    expect(sessions.size).toBe(1);

    const aborted = await sessions.open({
      bucket: BUCKET,
      key: 'd.bin',
      fileSize: 1,
      sliceSize: 1,
      insertOnly: 1,
    });
    await store.abortMultipartUpload(BUCKET, aborted.id);
    expect(codeOf(() => sessions.get(aborted.id, BUCKET, 'd.bin'))).toBe(-4008);
  });
});
