import type { ObjectStore } from '../storage/object-store';
import { FILES_V2_CODES, FilesV2Error, filesV2Errors } from './files-v2.errors';

/** How long a slice session lives without a request: 24 hours. */
export const SLICE_SESSION_TTL_MS = 24 * 60 * 60 * 1000;

/** What `upload_slice_init` declared. */
export interface SliceSessionInit {
  /** Bucket (`<short>-<appid>`). */
  bucket: string;
  key: string;
  /** `filesize`: the whole file, in bytes (at least 1). */
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

/** One received slice: the store part holding it. */
export interface ReceivedSlice {
  partNumber: number;
  size: number;
}

/** An open slice session. */
export interface SliceSession extends SliceSessionInit {
  /** The `session` token: the id of the store's multipart upload that holds the slices. */
  readonly id: string;
  /** Received slices by byte offset (a slice sent again at an offset replaces the first). */
  readonly slices: Map<number, ReceivedSlice>;
  /** Part number of each offset seen, assigned in arrival order. */
  readonly partNumbers: Map<number, number>;
  /** Clock time of the last request on it. */
  touchedAt: number;
}

/**
 * The open v4 slice uploads (`upload_slice_init` / `_data` / `_finish`). Each session is a multipart upload of
 * the store (so slices stream to the store's staging, on disk with `dataDir`, and the session shows in
 * ListMultipartUploads until it ends); its id is the session token. Slices may come in parallel and in any order:
 * each offset gets a part number as it first arrives, and finish needs the slices to tile the file exactly (no gap,
 * no overlap). Slice sizes are not enforced against `slice_size`, so a client that slices differently still
 * assembles correctly. A session ends at a successful finish, or after {@link SLICE_SESSION_TTL_MS} without a
 * request (its upload is then aborted).
 */
export class SliceSessions {
  private readonly sessions = new Map<string, SliceSession>();

  constructor(
    private readonly store: ObjectStore,
    private readonly clock: () => number = Date.now,
    private readonly ttlMs = SLICE_SESSION_TTL_MS,
  ) {}

  /** Open sessions. */
  get size(): number {
    return this.sessions.size;
  }

  /** Opens a session on a new multipart upload of the store (and ends expired ones). */
  async open(init: SliceSessionInit): Promise<SliceSession> {
    await this.sweep();
    const upload = await this.store.createMultipartUpload(init.bucket, init.key, {
      contentType: 'application/octet-stream',
      headers: {},
    });
    const session: SliceSession = {
      ...init,
      id: upload.uploadId,
      slices: new Map(),
      partNumbers: new Map(),
      touchedAt: this.clock(),
    };
    this.sessions.set(session.id, session);
    return session;
  }

  /** The session `id` of this file; -4008 (404) when there is none (unknown, finished, expired, other file). */
  get(id: string | undefined, bucket: string, key: string): SliceSession {
    const session = id === undefined ? undefined : this.sessions.get(id);
    const gone = session && !this.store.getMultipartUpload(session.bucket, session.id);
    if (session && (gone || this.expired(session))) void this.end(session);
    if (!session || gone || this.expired(session) || session.bucket !== bucket || session.key !== key) {
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
      throw filesV2Errors.invalidParameter(
        `offset ${offset} is not inside the file (${session.fileSize} bytes)`,
      );
    }
    return session.fileSize - offset;
  }

  /** The store part number of the slice at `offset` (a new one for an offset not seen before). */
  partNumberFor(session: SliceSession, offset: number): number {
    let partNumber = session.partNumbers.get(offset);
    if (partNumber === undefined) {
      partNumber = session.partNumbers.size + 1;
      session.partNumbers.set(offset, partNumber);
    }
    return partNumber;
  }

  /** Records a slice stored as a part (replacing one sent before at the same offset). */
  putSlice(session: SliceSession, offset: number, slice: ReceivedSlice): void {
    session.slices.set(offset, slice);
    session.touchedAt = this.clock();
  }

  /** The part numbers in file order; -4005 when the slices leave a gap, overlap, or do not end at `fileSize`. */
  assemble(session: SliceSession): number[] {
    const offsets = [...session.slices.keys()].sort((a, b) => a - b);
    const out: number[] = [];
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
      out.push(slice.partNumber);
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

  /** Ends a session and aborts its upload (after a successful finish, or when it expired). */
  async end(session: SliceSession): Promise<void> {
    this.sessions.delete(session.id);
    await this.store.abortMultipartUpload(session.bucket, session.id).catch(() => false);
  }

  /** Forgets every session (their uploads are the store's to drop, as `reset` does). */
  clear(): void {
    this.sessions.clear();
  }

  private expired(session: SliceSession): boolean {
    return this.clock() - session.touchedAt > this.ttlMs;
  }

  private async sweep(): Promise<void> {
    for (const session of [...this.sessions.values()]) {
      if (this.expired(session)) await this.end(session);
    }
  }
}
