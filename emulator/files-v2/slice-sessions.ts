import { randomBytes } from 'node:crypto';
import { FILES_V2_CODES, FilesV2Error, filesV2Errors } from './files-v2.errors';

/** How long a slice session lives without a request: 24 hours. */
export const SLICE_SESSION_TTL_MS = 24 * 60 * 60 * 1000;

/** What `upload_slice_init` declared. */
export interface SliceSessionInit {
  /** Bucket (`<short>-<appid>`). */
  bucket: string;
  key: string;
  /** `filesize`: the whole file, in bytes. */
  fileSize: number;
  /** `slice_size` answered to the client (a hint: slices of any size are accepted, see {@link SliceSessions}). */
  sliceSize: number;
  insertOnly: 0 | 1;
  /** `sha` of the whole file, lower-case hex, when declared. */
  sha?: string;
  bizAttr?: string;
  /** `Pic-Operations` of the init request; finish's own header wins over it. */
  picOperations?: string;
}

/** One received slice: its bytes as the chunks they arrived in. */
export interface ReceivedSlice {
  chunks: readonly Buffer[];
  size: number;
}

/** An open slice session. */
export interface SliceSession extends SliceSessionInit {
  /** The `session` token. */
  readonly id: string;
  /** Received slices by byte offset, each as the chunks it arrived in (a slice sent again replaces the first). */
  readonly slices: Map<number, ReceivedSlice>;
  /** Clock time of the last request on it. */
  touchedAt: number;
}

/**
 * The open v4 slice uploads (`upload_slice_init` / `_data` / `_finish`), kept in memory until finish or until
 * they go {@link SLICE_SESSION_TTL_MS} without a request. Slices may come in parallel and in any order; each is
 * kept by its offset, and finish needs them to tile the file exactly (no gap, no overlap). Slice sizes are not
 * enforced against `slice_size`: a client that slices differently still assembles correctly.
 */
export class SliceSessions {
  private readonly sessions = new Map<string, SliceSession>();

  constructor(
    private readonly clock: () => number = Date.now,
    private readonly ttlMs = SLICE_SESSION_TTL_MS,
  ) {}

  /** Open sessions. */
  get size(): number {
    return this.sessions.size;
  }

  /** Opens a session (and drops expired ones). */
  open(init: SliceSessionInit): SliceSession {
    this.sweep();
    const session: SliceSession = {
      ...init,
      id: randomBytes(18).toString('base64url'),
      slices: new Map(),
      touchedAt: this.clock(),
    };
    this.sessions.set(session.id, session);
    return session;
  }

  /** The session `id` of this file; -4008 (404) when there is none (unknown, finished, expired, other file). */
  get(id: string | undefined, bucket: string, key: string): SliceSession {
    const session = id === undefined ? undefined : this.sessions.get(id);
    if (!session || this.expired(session) || session.bucket !== bucket || session.key !== key) {
      if (session && this.expired(session)) this.sessions.delete(session.id);
      throw new FilesV2Error(
        404,
        FILES_V2_CODES.noSuchSession,
        `no open slice session ${JSON.stringify(id ?? '')} for this file`,
      );
    }
    session.touchedAt = this.clock();
    return session;
  }

  /** Checks a slice's offset before its bytes are read; returns how many bytes it may have. */
  room(session: SliceSession, offset: number): number {
    if (offset >= session.fileSize) {
      throw filesV2Errors.invalidParameter(`offset ${offset} is not inside the file (${session.fileSize} bytes)`);
    }
    return session.fileSize - offset;
  }

  /** Keeps a received slice (replacing one sent before at the same offset). */
  putSlice(session: SliceSession, offset: number, slice: ReceivedSlice): void {
    if (slice.size === 0) throw filesV2Errors.invalidParameter(`the slice at ${offset} is empty`);
    if (slice.size > this.room(session, offset)) {
      throw filesV2Errors.invalidParameter(`the slice at ${offset} goes past the end of the file`);
    }
    session.slices.set(offset, slice);
    session.touchedAt = this.clock();
  }

  /** The file's chunks in order; -4005 when the slices leave a gap, overlap, or do not end at `fileSize`. */
  assemble(session: SliceSession): Buffer[] {
    const offsets = [...session.slices.keys()].sort((a, b) => a - b);
    const out: Buffer[] = [];
    let next = 0;
    for (const offset of offsets) {
      const slice = session.slices.get(offset)!;
      if (offset !== next) {
        throw new FilesV2Error(
          400,
          FILES_V2_CODES.slicesIncomplete,
          offset > next
            ? `bytes ${next}-${offset - 1} of the file were never sent`
            : `the slice at ${offset} overlaps the one before it`,
        );
      }
      out.push(...slice.chunks);
      next = offset + slice.size;
    }
    if (next !== session.fileSize) {
      throw new FilesV2Error(
        400,
        FILES_V2_CODES.slicesIncomplete,
        `bytes ${next}-${session.fileSize - 1} of the file were never sent`,
      );
    }
    return out;
  }

  /** Ends a session (after a successful finish). */
  close(session: SliceSession): void {
    this.sessions.delete(session.id);
  }

  /** Drops every session. */
  clear(): void {
    this.sessions.clear();
  }

  private expired(session: SliceSession): boolean {
    return this.clock() - session.touchedAt > this.ttlMs;
  }

  private sweep(): void {
    for (const session of this.sessions.values()) {
      if (this.expired(session)) this.sessions.delete(session.id);
    }
  }
}
