import { cosErrors } from '../errors/cos-errors';
import { CosHttpError } from '../errors/cos-http.error';
import type { ObjectMeta } from '../storage/object-store';
import type { CosHandlerRoute, HandlerContext } from './handler.types';
import { storageClassOf } from './handler.utils';
import { child, readXmlBody, textOf } from './xml-body';

/** Storage classes whose objects must be restored before they can be read (COS's POST Object restore page). */
const ARCHIVED: ReadonlySet<string> = new Set(['ARCHIVE', 'DEEP_ARCHIVE']);

/** The retrieval tiers of `CASJobParameters/Tier` per class (DEEP_ARCHIVE has no Expedited). */
const TIERS: Readonly<Record<string, readonly string[]>> = {
  ARCHIVE: ['Expedited', 'Standard', 'Bulk'],
  DEEP_ARCHIVE: ['Standard', 'Bulk'],
};

/** The stored (and answered) header of a restored copy: `ongoing-request="false", expiry-date="<GMT>"`. */
export const RESTORE_HEADER = 'x-cos-restore';

const invalidObjectState = (message: string) => new CosHttpError(403, 'InvalidObjectState', message);

function restoredUntil(meta: ObjectMeta): number | undefined {
  const match = /expiry-date="([^"]+)"/.exec(meta.headers[RESTORE_HEADER] ?? '');
  return match ? Date.parse(match[1]!) : undefined;
}

/**
 * Refuses to read an ARCHIVE or DEEP_ARCHIVE object without a restored copy that has not expired: 403
 * `InvalidObjectState`, as COS answers GET Object there.
 */
export function checkReadable(meta: ObjectMeta, now = Date.now()): void {
  if (!ARCHIVED.has(storageClassOf(meta))) return;
  const until = restoredUntil(meta);
  if (until === undefined || until <= now) {
    throw invalidObjectState('The object is archived: restore it (POST ?restore) before reading it.');
  }
}

/**
 * POST Object restore (`POST /<key>?restore`, body `<RestoreRequest><Days>n</Days><CASJobParameters><Tier>`):
 * 202 for a new restore, 200 when a restored copy exists (its expiry moves to now + Days). The emulator restores
 * at once (COS takes minutes to hours): `x-cos-restore: ongoing-request="false", expiry-date="..."` is answered on
 * HEAD and GET right away. Not archived: 403 `InvalidObjectState`.
 */
async function restoreObject(context: HandlerContext): Promise<void> {
  const { env, bucket, key, exchange } = context;
  const meta = env.store.headObject(bucket, key);
  if (!meta) throw cosErrors.noSuchKey();
  const storageClass = storageClassOf(meta);
  if (!ARCHIVED.has(storageClass)) {
    throw invalidObjectState(
      `Only ARCHIVE and DEEP_ARCHIVE objects are restored; this one is ${storageClass}.`,
    );
  }
  const request = (await readXmlBody(context)).RestoreRequest;
  const days = textOf(child(request, 'Days'));
  if (!days || !/^\d+$/.test(days) || Number(days) < 1 || Number(days) > 365) {
    throw cosErrors.malformedXml('RestoreRequest/Days must be an integer from 1 to 365.');
  }
  const tier = textOf(child(child(request, 'CASJobParameters'), 'Tier')) ?? 'Standard';
  if (!TIERS[storageClass]!.includes(tier)) {
    throw cosErrors.malformedXml(
      `Tier must be one of ${TIERS[storageClass]!.join(', ')} for ${storageClass}.`,
    );
  }
  const restored = (restoredUntil(meta) ?? 0) > Date.now();
  const expiry = new Date(Date.now() + Number(days) * 86_400_000).toUTCString();
  const headers = { ...meta.headers, [RESTORE_HEADER]: `ongoing-request="false", expiry-date="${expiry}"` };
  if (!(await env.store.updateObjectHeaders(bucket, key, headers))) throw cosErrors.noSuchKey();
  exchange.sendEmpty(restored ? 200 : 202);
}

/** The restore route: PostObjectRestore. */
export const restoreRoutes: readonly CosHandlerRoute[] = [
  {
    operation: 'PostObjectRestore',
    method: 'POST',
    scope: 'object',
    subresources: ['restore'],
    handler: restoreObject,
  },
];
