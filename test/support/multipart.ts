import { request as httpRequest, type ClientRequest } from 'node:http';
import type { AddressInfo, Server } from 'node:net';

/** The boundary every hand-built body uses. */
export const BOUNDARY = '----ci-test-boundary';

/** One file part, with a `Content-Disposition` given as is (to test `filename*` and raw UTF-8 names). */
export function filePart(field: string, disposition: string, body: Buffer, type = 'image/jpeg'): Buffer {
  return Buffer.concat([
    Buffer.from(
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${field}"; ${disposition}\r\nContent-Type: ${type}\r\n\r\n`,
    ),
    body,
    Buffer.from('\r\n'),
  ]);
}

/** A whole multipart body of the given parts. */
export function multipartBody(parts: Buffer[]): Buffer {
  return Buffer.concat([...parts, Buffer.from(`--${BOUNDARY}--\r\n`)]);
}

/** Starts a raw upload of `path` that the caller feeds and ends or abandons; errors are swallowed. */
export function openUpload(server: Server, path: string, contentLength: number): ClientRequest {
  const { port } = server.address() as AddressInfo;
  const req = httpRequest({
    host: '127.0.0.1',
    port,
    method: 'POST',
    path,
    headers: {
      'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
      'content-length': contentLength,
    },
  });
  req.on('error', () => undefined);
  return req;
}

/** Polls `check` every 20 ms until it holds, failing after `timeoutMs`. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
