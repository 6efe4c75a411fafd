import { setImmediate as nextMacrotask } from 'node:timers/promises';
import { CiAbortError, CiMediaError } from '../core/errors';
import { CiProgressReporter } from './progress-reporter';
import type { CiUploadProgress } from './upload.progress';

const subject = { fieldname: 'file', originalName: 'a.jpg' };

function recording(step = 100) {
  const reports: CiUploadProgress[] = [];
  const warnings: string[] = [];
  const logger = { log: () => undefined, warn: (m: string) => void warnings.push(m), error: () => undefined };
  const reporter = new CiProgressReporter((p) => void reports.push(p), subject, logger, step);
  return { reports, warnings, reporter };
}

async function drain(source: AsyncIterator<Buffer>) {
  while (!(await source.next()).done);
}

describe('CiProgressReporter', () => {
  it('reports at most once per step of either counter, plus each phase and the key, and one done', async () => {
    const { reports, reporter } = recording(100);
    reporter.start();
    const chunks = Array.from({ length: 50 }, () => Buffer.alloc(10));
    const source = reporter.watch(
      (async function* () {
        yield* chunks;
      })(),
    );
    await source.next();
    reporter.named('a/b.jpg');
    await drain(source);
    for (let sent = 10; sent <= 500; sent += 10) reporter.sent(sent);
    reporter.sent(500, true);
    reporter.done('a/b.jpg');
    // start, key, 4 steps of received (not the last 90 bytes), uploading, 5 steps of sent, processing, done.
    expect(reports.map((r) => r.phase)).toEqual([
      ...Array(6).fill('receiving'),
      ...Array(6).fill('uploading'),
      'processing',
      'done',
    ]);
    expect(reports.at(-1)).toEqual({
      ...subject,
      phase: 'done',
      key: 'a/b.jpg',
      bytesReceived: 500,
      bytesSent: 500,
    });
    for (let i = 1; i < reports.length; i++) {
      expect(reports[i]!.bytesReceived).toBeGreaterThanOrEqual(reports[i - 1]!.bytesReceived);
      expect(reports[i]!.bytesSent).toBeGreaterThanOrEqual(reports[i - 1]!.bytesSent);
    }
  });

  it('goes from uploading to done when no Complete is sent (a single PUT)', async () => {
    const { reports, reporter } = recording();
    const source = reporter.watch(
      (async function* () {
        yield Buffer.alloc(40);
      })(),
    );
    await drain(source);
    reporter.named('k.jpg');
    reporter.sent(40);
    reporter.done('k.jpg');
    await nextMacrotask();
    expect(reports.map((r) => r.phase)).toEqual(['receiving', 'uploading', 'done']);
  });

  it('fails once with the answer the client gets, the cause of an abort included, and says nothing after', () => {
    const { reports, reporter } = recording();
    reporter.failed(
      new CiAbortError({ method: 'PUT', path: '/k' }, { cause: new Error('client went away') }),
    );
    reporter.failed(new CiMediaError('NOT_AN_IMAGE', 'not an image'));
    reporter.sent(10);
    reporter.done('k');
    expect(reports).toEqual([
      {
        ...subject,
        phase: 'failed',
        bytesReceived: 0,
        bytesSent: 0,
        error: { statusCode: 503, code: 'CI_ABORTED', message: 'Upload aborted: client went away' },
      },
    ]);
  });

  it('survives a throwing and a rejecting listener, warning once', async () => {
    const warnings: string[] = [];
    const logger = {
      log: () => undefined,
      warn: (m: string) => void warnings.push(m),
      error: () => undefined,
    };
    let calls = 0;
    const reporter = new CiProgressReporter(
      () => {
        calls++;
        if (calls % 2) throw new Error('sync bug');
        return Promise.reject(new Error('async bug'));
      },
      subject,
      logger,
    );
    reporter.start();
    reporter.named('k');
    reporter.done('k');
    await nextMacrotask();
    expect(calls).toBe(3);
    expect(warnings).toEqual([
      expect.stringMatching(/^onProgress threw \(field file\): sync bug; the upload goes on/),
    ]);
  });
});
