import type { IncomingMessage } from 'node:http';
import { cosRoutes } from '../handlers';
import { CosRouter, type CosScope } from '../routing/cos-router';
import { resolveTarget } from '../routing/resolve-target';
import type { FaultRequest } from './fault-registry';

const router = new CosRouter<unknown>().addAll(cosRoutes);

// files-v2: `/files/v2/<appid>/<bucket>/<key>` on a host that names no bucket.
const FILES_V2_PATH = /^\/files\/v2\/(\d+)\/([^/?]+)\/?([^?]*)/;

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Works out what a request is before it is served, the way the dispatchers will (operation, bucket, key), so
 * that faults can match it. Never throws: a request nothing routes is `Unknown`.
 * @example classifyRequest(req) // { method: 'PUT', operation: 'PutObject', bucket: 'b-1250000000', key: 'a.jpg' }
 */
export function classifyRequest(req: Pick<IncomingMessage, 'method' | 'url' | 'headers'>): FaultRequest {
  const method = (req.method ?? 'GET').toUpperCase();
  let target;
  try {
    target = resolveTarget(req);
  } catch {
    return { method, operation: 'Unknown', key: '' };
  }
  const filesV2 = target.style === 'path' ? FILES_V2_PATH.exec(req.url ?? '') : null;
  if (filesV2 && method !== 'OPTIONS') {
    return {
      method,
      operation: 'FilesV2',
      bucket: `${decode(filesV2[2])}-${filesV2[1]}`,
      key: filesV2[3].split('/').map(decode).join('/'),
    };
  }
  const base = { method, bucket: target.bucket, key: target.key };
  if (method === 'OPTIONS') return { ...base, operation: 'OptionsObject' };
  const scope: CosScope = !target.bucket ? 'service' : target.key ? 'object' : 'bucket';
  const match = router.match(method, scope, target.query, req.headers);
  return { ...base, operation: match.route?.operation ?? 'Unknown' };
}
