import type { MessageEvent } from '@nestjs/common';
import { defer, finalize, map, Subject, takeWhile, type Observable } from 'rxjs';
import type { CiUploadProgress } from '../../lib';

/** What an upload id may look like: the page sends a UUID; anything else is ignored or refused. */
const UPLOAD_ID = /^[A-Za-z0-9-]{8,64}$/;

/** The request header that ties an upload to its progress stream. */
export const UPLOAD_ID_HEADER = 'x-upload-id';

/**
 * Routes the server-side progress of an upload to the page that sent it: the page opens
 * `GET /uploads/<id>/progress` (Server-Sent Events) with an id it made up, then posts the file with the same
 * id in `X-Upload-Id`; each report of that file goes out as one event, and the stream ends after `done` or
 * `failed`. One id per file. Reports of an id nobody watches are dropped; a channel lives as long as its
 * connection.
 */
export class UploadProgressHub {
  private readonly channels = new Map<string, { subject: Subject<CiUploadProgress>; watchers: number }>();

  /** True when `id` is an acceptable upload id. */
  static isUploadId(id: unknown): id is string {
    return typeof id === 'string' && UPLOAD_ID.test(id);
  }

  /** The `onProgress` of a `@CiUpload` route: publishes each report under the request's upload id. */
  readonly listener = (progress: CiUploadProgress, req: { headers: Record<string, unknown> }): void => {
    const id = req.headers[UPLOAD_ID_HEADER];
    if (UploadProgressHub.isUploadId(id)) this.channels.get(id)?.subject.next(progress);
  };

  /** The events of one upload id, for `@Sse()`: each report as JSON, ending after the final one. */
  watch(id: string): Observable<MessageEvent> {
    return defer(() => {
      // Per subscription (a reconnecting page may briefly watch twice): the channel lives while anyone watches.
      let channel = this.channels.get(id);
      if (!channel) this.channels.set(id, (channel = { subject: new Subject(), watchers: 0 }));
      const own = channel;
      own.watchers++;
      return own.subject.pipe(
        takeWhile((p) => p.phase !== 'done' && p.phase !== 'failed', true),
        map((p) => ({ data: p })),
        finalize(() => {
          if (--own.watchers === 0 && this.channels.get(id) === own) this.channels.delete(id);
        }),
      );
    });
  }

  /** Number of upload ids being watched. */
  get size(): number {
    return this.channels.size;
  }
}

/** The sample's one hub: the upload route publishes to it, the progress endpoint reads from it. */
export const uploadProgress = new UploadProgressHub();
