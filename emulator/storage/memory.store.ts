import { Readable, Writable } from 'node:stream';
import type { ByteBackend, LoadedBucket, OpenedBytes } from './byte-backend';
import { IndexedObjectStore } from './object-index';
import type { StagedBody } from './object-store';

/** Bytes in memory: the chunks a body arrived in, never joined into one buffer. */
type Chunks = readonly Buffer[];

/** Collects a body's chunks as they arrive. */
class ChunkSink extends Writable {
  readonly chunks: Buffer[] = [];

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    // A small slice of a large socket read buffer would keep the whole read buffer alive: copy those.
    this.chunks.push(chunk.byteLength * 2 < chunk.buffer.byteLength ? Buffer.from(chunk) : chunk);
    callback();
  }
}

interface MemoryStaged extends StagedBody {
  sink: ChunkSink;
}

function stagedChunks(chunks: Buffer[] = []): MemoryStaged {
  const sink = new ChunkSink();
  sink.chunks.push(...chunks);
  return {
    sink,
    whole: new Promise<void>((resolve) => sink.once('close', resolve)),
    discard: async () => {
      sink.destroy();
      sink.chunks.length = 0;
    },
  };
}

/** Yields the bytes `start..end` (inclusive) of a chunk list without copying them. */
function* sliceChunks(chunks: Chunks, start: number, end: number): Generator<Buffer> {
  let offset = 0;
  for (const chunk of chunks) {
    const chunkEnd = offset + chunk.length;
    if (chunkEnd > start && offset <= end) {
      yield chunk.subarray(Math.max(0, start - offset), Math.min(chunk.length, end - offset + 1));
    }
    offset = chunkEnd;
    if (offset > end) return;
  }
}

/** The memory byte backend: nothing to persist, bytes are chunk lists shared between versions as they are. */
export class MemoryBytes implements ByteBackend<Chunks> {
  async load(): Promise<Array<LoadedBucket<Chunks>>> {
    return [];
  }

  async createBucket(): Promise<void> {}

  async deleteBucket(): Promise<void> {}

  async saveBucketConfig(): Promise<void> {}

  stage(): StagedBody {
    return stagedChunks();
  }

  async stageJoined(_bucket: string, sources: readonly Chunks[], tail?: StagedBody): Promise<StagedBody> {
    const staged = stagedChunks([
      ...sources.flat(),
      ...((tail as MemoryStaged | undefined)?.sink.chunks ?? []),
    ]);
    staged.sink.end();
    return staged;
  }

  async keepObjectBytes(staged: StagedBody): Promise<Chunks> {
    return (staged as MemoryStaged).sink.chunks;
  }

  async keepPartBytes(staged: StagedBody): Promise<Chunks> {
    return (staged as MemoryStaged).sink.chunks;
  }

  async open(_bucket: string, chunks: Chunks): Promise<OpenedBytes> {
    const size = chunks.reduce((sum, c) => sum + c.length, 0);
    return {
      stream: (range) =>
        Readable.from(sliceChunks(chunks, range?.start ?? 0, range?.end ?? size - 1), { objectMode: false }),
      close: async () => {},
    };
  }

  async openJoined(_bucket: string, sources: readonly Chunks[]): Promise<Readable> {
    return Readable.from(sources.flat(), { objectMode: false });
  }

  async dropBytes(): Promise<void> {}

  async saveKey(): Promise<void> {}

  async saveUpload(): Promise<void> {}

  async savePart(): Promise<void> {}

  async dropUpload(): Promise<void> {}

  async clear(): Promise<void> {}
}

/** Keeps everything in memory: each object is the list of chunks its body arrived in. The default store. */
export class MemoryObjectStore extends IndexedObjectStore<Chunks> {
  constructor() {
    super(new MemoryBytes());
  }
}
