import { Readable } from 'node:stream';
import { cosErrors } from '../errors/cos-errors';
import type { CosHandlerRoute, HandlerContext } from './handler.types';
import { readAll } from '../util/read-all';
import {
  downloadProcessOf,
  type DownloadMetadataKind,
  type DownloadProcess,
} from '../processing/download/download-query';

/** The processing a GET asks for: a rule in the query, or the style of a style URL (`a.jpg!thumb`). */
function requestedProcess({ style, target }: HandlerContext): DownloadProcess | undefined {
  return style ? { kind: 'style', name: style } : downloadProcessOf(target.query.entries);
}

async function serve(context: HandlerContext, key: string, process: DownloadProcess): Promise<void> {
  const { exchange, env, bucket } = context;
  const { picProcessor } = env;
  if (!picProcessor.download) {
    throw cosErrors.notImplemented('Download-time image processing is disabled in this emulator.');
  }
  const reader = await env.store.openObject(bucket, key);
  if (!reader) throw cosErrors.noSuchKey();
  const source = await readAll(reader.stream());
  const answer = await picProcessor.download({ bucket, key, source, process });
  await exchange.sendStream(
    200,
    { 'Content-Type': answer.contentType, 'Content-Length': answer.body.length },
    Readable.from([answer.body]),
  );
}

/**
 * Serves a GET that asks for download-time processing (a rule in the query, or a style-separator key) and
 * returns `true`; returns `false` for a plain download, which the caller serves as stored.
 */
export async function serveDownloadProcessing(context: HandlerContext): Promise<boolean> {
  const process = requestedProcess(context);
  if (!process) return false;
  await serve(context, context.key, process);
  return true;
}

// Logged (and matched by faults) as GetObject: CI serves these as GETs of the object.
const metadataRoute = (kind: DownloadMetadataKind): CosHandlerRoute => ({
  operation: 'GetObject',
  method: 'GET',
  scope: 'object',
  subresources: [kind],
  handler: (context) => serve(context, context.key, { kind }),
});

/** `GET <key>?imageInfo`, `?imageAve`, `?exif`: CI's JSON about a stored image. */
export const imageMetadataRoutes: readonly CosHandlerRoute[] = [
  metadataRoute('imageInfo'),
  metadataRoute('imageAve'),
  metadataRoute('exif'),
];
