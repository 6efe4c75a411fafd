import { CI_PROGRESS_STEP, type CiUploadPhase, type CiUploadProgress } from '../../lib/upload';

/** Progress reports collected by upload id (a request header the test sends), in arrival order. */
export class ProgressRecorder {
  private readonly byId = new Map<string, CiUploadProgress[]>();

  /** A route listener: files the report under the request's `x-upload-id`. */
  readonly listener = (progress: CiUploadProgress, req: { headers: Record<string, unknown> }): void => {
    this.add(String(req.headers['x-upload-id']), progress);
  };

  add(id: string, progress: CiUploadProgress): void {
    const list = this.byId.get(id) ?? [];
    list.push(progress);
    this.byId.set(id, list);
  }

  of(id: string): CiUploadProgress[] {
    return this.byId.get(id) ?? [];
  }
}

/** The phases a sequence of reports went through, each once, in order. */
export function phasesOf(reports: readonly CiUploadProgress[]): CiUploadPhase[] {
  return reports.map((r) => r.phase).filter((p, i, all) => i === 0 || all[i - 1] !== p);
}

/**
 * Checks what every successful upload's reports must show: counters that never go back, a bounded number of
 * reports (throttled), one final `done` with every byte received and acknowledged, the key from the first
 * report after naming, and the given phases in order.
 */
export function expectSuccessfulProgress(
  reports: readonly CiUploadProgress[],
  expected: { size: number; key: string; fieldname: string; originalName: string; phases: CiUploadPhase[] },
): void {
  expect(reports.length).toBeGreaterThan(0);
  for (let i = 1; i < reports.length; i++) {
    expect(reports[i]!.bytesReceived).toBeGreaterThanOrEqual(reports[i - 1]!.bytesReceived);
    expect(reports[i]!.bytesSent).toBeGreaterThanOrEqual(reports[i - 1]!.bytesSent);
  }
  for (const r of reports) {
    expect(r).toMatchObject({ fieldname: expected.fieldname, originalName: expected.originalName });
    expect(r.bytesSent).toBeLessThanOrEqual(r.bytesReceived);
    if (r.key !== undefined) expect(r.key).toBe(expected.key);
  }
  // Two counters, each reported at most once per step, plus phase changes and the key.
  expect(reports.length).toBeLessThanOrEqual(2 * Math.ceil(expected.size / CI_PROGRESS_STEP) + 6);
  expect(phasesOf(reports)).toEqual(expected.phases);
  expect(reports.filter((r) => r.phase === 'done')).toHaveLength(1);
  expect(reports.at(-1)).toMatchObject({
    phase: 'done',
    key: expected.key,
    bytesReceived: expected.size,
    bytesSent: expected.size,
  });
  expect(reports.at(-1)!.error).toBeUndefined();
}

/** Checks a failed upload's reports: they end with exactly one `failed` carrying the client-facing error. */
export function expectFailedProgress(
  reports: readonly CiUploadProgress[],
  error: { statusCode: number; code: string; message: string },
): void {
  expect(reports.length).toBeGreaterThan(0);
  expect(reports.filter((r) => r.phase === 'failed')).toHaveLength(1);
  expect(reports.filter((r) => r.phase === 'done')).toHaveLength(0);
  expect(reports.at(-1)).toMatchObject({ phase: 'failed', error });
}
