import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseFaultSpec } from './fault-spec.parser';
import type { CiEmulatorFaults, CiFaultInfo, CiFaultSpec } from './fault.types';

/** Path prefix of the emulator's admin endpoints (served only when the `Host` is the emulator itself). */
export const ADMIN_PATH_PREFIX = '/_emulator/';
/** The fault collection of the admin endpoint. */
export const FAULTS_ADMIN_PATH = '/_emulator/faults';

/** Largest JSON body the admin endpoint reads. */
const MAX_ADMIN_BODY = 64 * 1024;

class AdminError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** True for a request addressed to the admin endpoints (`/_emulator/...` in origin form). */
export function isAdminPath(url: string | undefined): boolean {
  return (url ?? '').startsWith(ADMIN_PATH_PREFIX);
}

function sendJson(res: ServerResponse, status: number, value?: unknown): void {
  if (value === undefined) {
    res.writeHead(status, { 'Content-Length': 0 }).end();
    return;
  }
  const body = Buffer.from(JSON.stringify(value));
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': body.length }).end(body);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_ADMIN_BODY) throw new AdminError(413, `the body is over ${MAX_ADMIN_BODY} bytes`);
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (error) {
    throw new AdminError(400, `the body is not JSON (${(error as Error).message})`);
  }
}

/** A fault as JSON: an unlimited one has `remaining: null` (JSON has no Infinity). */
function faultJson(fault: CiFaultInfo): Omit<CiFaultInfo, 'remaining'> & { remaining: number | null } {
  return { ...fault, remaining: Number.isFinite(fault.remaining) ? fault.remaining : null };
}

/**
 * Refuses what a web page could send to a local emulator (issue 13 item 7): a request whose `Origin` is not the
 * emulator's own (403), and a body that is not `application/json` (415): a form or a `text/plain` fetch needs
 * no CORS preflight, a JSON one does, and the emulator answers none for these paths.
 */
function checkSameSite(req: IncomingMessage, isOwnHost: (authority: string) => boolean): void {
  const origin = req.headers.origin;
  if (origin !== undefined) {
    const authority = /^https?:\/\/([^/]+)$/i.exec(origin)?.[1];
    if (!authority || !isOwnHost(authority)) {
      throw new AdminError(
        403,
        `cross-site request refused: Origin ${JSON.stringify(origin)} is not the emulator`,
      );
    }
  }
  if (String(req.headers['sec-fetch-site'] ?? '').toLowerCase() === 'cross-site') {
    throw new AdminError(403, 'cross-site request refused (Sec-Fetch-Site: cross-site)');
  }
  const method = (req.method ?? 'GET').toUpperCase();
  if (method === 'POST' || method === 'PUT' || method === 'PATCH') {
    const type = String(req.headers['content-type'] ?? '')
      .split(';')[0]
      .trim()
      .toLowerCase();
    if (type !== 'application/json') {
      throw new AdminError(415, `Content-Type must be application/json, not ${JSON.stringify(type)}`);
    }
  }
}

async function route(req: IncomingMessage, res: ServerResponse, faults: CiEmulatorFaults): Promise<void> {
  const path = (req.url ?? '').replace(/\?.*$/, '');
  const method = (req.method ?? 'GET').toUpperCase();
  if (path === FAULTS_ADMIN_PATH || path === `${FAULTS_ADMIN_PATH}/`) {
    if (method === 'GET') return sendJson(res, 200, { faults: faults.list().map(faultJson) });
    if (method === 'DELETE') {
      faults.clear();
      return sendJson(res, 204);
    }
    if (method === 'POST') {
      const body = await readJson(req);
      const many = Array.isArray(body);
      const given: unknown[] = Array.isArray(body) ? body : [body];
      let specs: CiFaultSpec[];
      try {
        specs = given.map((spec, i) => parseFaultSpec(spec, many ? `fault[${i}]` : 'fault'));
      } catch (error) {
        throw new AdminError(400, (error as Error).message);
      }
      const ids = specs.map((spec) => faults.add(spec));
      return sendJson(res, 201, many ? { ids } : { id: ids[0], ids });
    }
    throw new AdminError(405, `${method} is not allowed on ${FAULTS_ADMIN_PATH} (GET, POST, DELETE)`);
  }
  const one = new RegExp(`^${FAULTS_ADMIN_PATH}/([^/]+)$`).exec(path);
  if (one) {
    const id = one[1];
    if (method === 'GET') {
      const fault = faults.list().find((f) => f.id === id);
      if (!fault) throw new AdminError(404, `no fault ${JSON.stringify(id)}`);
      return sendJson(res, 200, faultJson(fault));
    }
    if (method === 'DELETE') {
      if (!faults.remove(id)) throw new AdminError(404, `no fault ${JSON.stringify(id)}`);
      return sendJson(res, 204);
    }
    throw new AdminError(405, `${method} is not allowed on a fault (GET, DELETE)`);
  }
  throw new AdminError(404, `no admin endpoint ${path} (try ${FAULTS_ADMIN_PATH})`);
}

/**
 * Serves the fault admin endpoint (no signature: it only answers on the emulator's own host, never on a bucket's):
 * `GET /_emulator/faults` lists the faults, `POST /_emulator/faults` adds one (a JSON fault) or several (a JSON
 * array) and answers 201 `{ "id", "ids" }`, `DELETE /_emulator/faults` removes them all, `GET`/`DELETE
 * /_emulator/faults/<id>` reads or removes one. Cross-site requests are refused: a foreign `Origin` is 403 and a
 * body that is not `application/json` 415. Errors are JSON `{ "error": message }` (400, 403, 404, 405, 413, 415).
 * @example curl -X POST http://127.0.0.1:9000/_emulator/faults -H 'Content-Type: application/json' -d '{"match":{"operation":"PutObject"},"action":{"type":"error","status":503,"code":"SlowDown"}}'
 */
export async function serveFaultAdmin(
  req: IncomingMessage,
  res: ServerResponse,
  faults: CiEmulatorFaults,
  isOwnHost: (authority: string) => boolean,
): Promise<void> {
  try {
    checkSameSite(req, isOwnHost);
    if (/100-continue/i.test(String(req.headers.expect ?? ''))) res.writeContinue();
    await route(req, res, faults);
  } catch (error) {
    if (res.headersSent || res.destroyed) return;
    const status = error instanceof AdminError ? error.status : 500;
    sendJson(res, status, { error: error instanceof AdminError ? error.message : 'internal error' });
  }
  if (!req.complete) req.resume();
}
