import { request as httpRequest } from 'node:http';
import { setMaxListeners } from 'node:events';
import { Pool } from 'undici';
import { countOutputs, measureOperations, type OperationRun } from './contender-host';

const BOUNDARY = '----nestjs-tencent-ci-bench-7d3f0a9c';

/** A multipart/form-data body with one file field, built once and sent as is (a real body: the image bytes). */
export interface MultipartBody {
  contentType: string;
  body: Buffer;
}

/** Builds the multipart body of one `file` field holding `bytes`. */
export function multipartBody(bytes: Buffer, filename = 'photo.jpg', field = 'file'): MultipartBody {
  const head = Buffer.from(
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\n` +
      'Content-Type: image/jpeg\r\n\r\n',
  );
  const tail = Buffer.from(`\r\n--${BOUNDARY}--\r\n`);
  return {
    contentType: `multipart/form-data; boundary=${BOUNDARY}`,
    body: Buffer.concat([head, bytes, tail]),
  };
}

/** What the load generator measured, plus its own CPU time (to show it is not the bottleneck). */
export interface LoadRun extends OperationRun {
  /** CPU seconds this process spent during the run. */
  generatorCpuSeconds: number;
}

/**
 * POSTs `upload` to `http://127.0.0.1:<port><path>` `count` times, `concurrency` at once, over a fresh undici
 * Pool of exactly `concurrency` connections (closed afterwards, so no keep-alive state crosses scenarios).
 * A non-2xx answer or a body without outputs counts as what it is: a failure, or 0 outputs.
 */
export async function postUploads(options: {
  port: number;
  path: string;
  upload: MultipartBody;
  count: number;
  concurrency: number;
  deadlineMs: number;
}): Promise<LoadRun> {
  const { upload } = options;
  const pool = new Pool(`http://127.0.0.1:${options.port}`, {
    connections: options.concurrency,
    pipelining: 1,
    headersTimeout: options.deadlineMs,
    bodyTimeout: options.deadlineMs,
  });
  const deadline = AbortSignal.timeout(options.deadlineMs);
  // One deadline for the whole batch: every request in flight listens to it.
  setMaxListeners(options.concurrency + 10, deadline);
  const cpu = process.cpuUsage();
  try {
    const run = await measureOperations(options.count, options.concurrency, options.deadlineMs, async () => {
      const res = await pool.request({
        method: 'POST',
        path: options.path,
        headers: { 'content-type': upload.contentType, 'content-length': String(upload.body.length) },
        body: upload.body,
        signal: deadline,
      });
      const text = await res.body.text();
      if (res.statusCode < 200 || res.statusCode >= 300) {
        throw new Error(`HTTP ${res.statusCode}: ${text.slice(0, 300)}`);
      }
      return countOutputs(JSON.parse(text));
    });
    const used = process.cpuUsage(cpu);
    return { ...run, generatorCpuSeconds: (used.user + used.system) / 1e6 };
  } finally {
    await pool.close();
  }
}

/** Slow clients sending large uploads while something else is measured. */
export interface Trickle {
  /** Statuses the slow uploads were answered with so far (a cut or refused one answers before its end). */
  statuses: number[];
  /** Abandons the slow uploads (their clients go away) and gives back what they were answered. */
  stop(): number[];
}

/**
 * Starts `count` uploads of `upload` to `http://127.0.0.1:<port><path>`, each sending about `bytesPerSecond`
 * (a write every 50 ms), over their own connections; they go on until {@link Trickle.stop}.
 */
export function trickleUploads(options: {
  port: number;
  path: string;
  upload: MultipartBody;
  count: number;
  bytesPerSecond: number;
}): Trickle {
  const { upload } = options;
  const statuses: number[] = [];
  const step = Math.max(1, Math.round(options.bytesPerSecond / 20));
  const requests = Array.from({ length: options.count }, () => {
    const req = httpRequest({
      host: '127.0.0.1',
      port: options.port,
      method: 'POST',
      path: options.path,
      headers: { 'content-type': upload.contentType, 'content-length': String(upload.body.length) },
    });
    req.on('error', () => undefined);
    req.on('response', (res) => {
      statuses.push(res.statusCode ?? 0);
      res.resume();
    });
    return req;
  });
  let sent = 0;
  const timer = setInterval(() => {
    const chunk = upload.body.subarray(sent, Math.min(sent + step, upload.body.length - 1));
    sent += chunk.length;
    for (const req of requests) if (chunk.length) req.write(chunk);
  }, 50);
  return {
    statuses,
    stop() {
      clearInterval(timer);
      for (const req of requests) req.destroy();
      return statuses;
    },
  };
}
