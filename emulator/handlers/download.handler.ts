import { Readable } from 'node:stream';
import { cosErrors } from '../errors/cos-errors';
import type { CosHandlerRoute, HandlerContext } from './handler.types';
import { readAll } from './pic-operations';
import {
  downloadProcessOf,
  splitStyleKey,
  type DownloadMetadataKind,
  type DownloadProcess,
} from '../processing/download/download-query';

/** The object and processing a GET asks for, after style-separator URLs (`a.jpg!thumb`) are resolved. */
function requestedProcess(context: HandlerContext): { key: string; process: DownloadProcess } | undefined {
  const { env, bucket, key, target } = context;
  const process = downloadProcessOf(target.query.entries);
  if (process) return { key, process };
  const { picProcessor, store } = env;
  if (!picProcessor.hasStyle || store.headObject(bucket, key)) return undefined;
  const split = splitStyleKey(
    key,
    (name) => picProcessor.hasStyle?.(name) ?? false,
    (base) => store.headObject(bucket, base) !== undefined,
  );
  return split && { key: split.key, process: { kind: 'style', name: split.style } };
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
  const asked = requestedProcess(context);
  if (!asked) return false;
  await serve(context, asked.key, asked.process);
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
