/**
 * Runs the corpus against a target (the emulator, or a real bucket in the live suite): the same request as the
 * documented one, and the answer's shape held against the documented answer's.
 */
import { isCiResponseError } from '../../lib/core/errors';
import { compareShapes, parseAnswer, shapeOf, valueAt, type ShapeDifference } from './answer-shape';
import type { AnswerFixture, ConformanceTarget, ErrorFixture } from './conformance.types';
import { ANSWER_FIXTURES, ERROR_FIXTURES } from './corpus';
import type { RecordingDispatcher } from './recording-dispatcher';

/** What one scenario found. */
export interface ScenarioOutcome {
  id: string;
  /** Set when the target cannot be made to give this answer. */
  skipped?: string;
  ok: boolean;
  difference?: ShapeDifference;
  /** Other mismatches (an error code, a value the source shows). */
  mismatches: string[];
}

/** Values that must equal the documented ones, per answer fixture kind. */
const SAME_VALUES: Partial<Record<string, string[]>> = {
  'files-v2': ['code', 'message', 'data.image_info.process_results.file_id'],
};

function modeOf(body: string): 'json' | 'xml' {
  return body.trim().startsWith('<') ? 'xml' : 'json';
}

function judge(
  id: string,
  documented: string,
  received: string | undefined,
  optional: string[],
  same: string[],
) {
  if (received === undefined) return { id, ok: false, mismatches: ['no answer was recorded'] };
  let answer: unknown;
  try {
    answer = parseAnswer(received);
  } catch (error) {
    return { id, ok: false, mismatches: [`the answer is not parseable: ${(error as Error).message}`] };
  }
  const doc = parseAnswer(documented);
  const difference = compareShapes(
    shapeOf(doc, modeOf(documented)),
    shapeOf(answer, modeOf(received)),
    optional,
  );
  const mismatches = same
    .filter((p) => valueAt(doc, p) !== undefined && valueAt(doc, p) !== valueAt(answer, p))
    .map(
      (p) => `${p}: documented ${JSON.stringify(valueAt(doc, p))}, got ${JSON.stringify(valueAt(answer, p))}`,
    );
  const ok = difference.missing.length === 0 && difference.types.length === 0 && mismatches.length === 0;
  return { id, ok, difference, mismatches };
}

/** Sends the documented request of an answer fixture to the target and compares the answer's shape. */
export async function runAnswerScenario(
  f: AnswerFixture,
  target: ConformanceTarget,
  recorder: RecordingDispatcher,
): Promise<ScenarioOutcome> {
  const client = target.client(f.protocol);
  const key = `${target.prefix}${f.key}`;
  if (f.call === 'upload') {
    await client.putObject(key, target.images.jpeg, { picOperations: f.picOperations, insertOnly: false });
  } else {
    await client.putObject(key, target.images.jpeg, { insertOnly: false });
    if (f.call === 'process') await client.processObject(key, f.picOperations!, { insertOnly: false });
    else if (f.call === 'imageInfo') await client.imageInfo(key);
    else await client.imageAve(key);
  }
  return judge(
    f.id,
    f.answer.body,
    recorder.last()?.body,
    Object.keys(f.optional ?? {}),
    SAME_VALUES[f.protocol] ?? [],
  );
}

/** Provokes a documented error on the target and compares the error answer. */
export async function runErrorScenario(
  f: ErrorFixture,
  target: ConformanceTarget,
  recorder: RecordingDispatcher,
): Promise<ScenarioOutcome> {
  if (!f.provoke)
    return { id: f.id, ok: true, skipped: 'the target cannot be made to give it', mismatches: [] };
  let error: unknown;
  try {
    await f.provoke(target);
  } catch (e) {
    error = e;
  }
  if (!isCiResponseError(error)) {
    return {
      id: f.id,
      ok: false,
      mismatches: [`expected ${f.expected.ciCode}, got ${String(error ?? 'success')}`],
    };
  }
  const outcome = judge(f.id, f.answer.body, recorder.last()?.body, Object.keys(f.optional ?? {}), ['code']);
  if (error.ciCode !== f.expected.ciCode)
    outcome.mismatches.push(`code ${error.ciCode}, documented ${f.expected.ciCode}`);
  if (f.protocol === 'cos-v5' && error.statusCode !== f.expected.statusCode) {
    outcome.mismatches.push(`status ${error.statusCode}, documented ${f.expected.statusCode}`);
  }
  outcome.ok = outcome.ok && outcome.mismatches.length === 0;
  return outcome;
}

function failed(id: string, error: unknown): ScenarioOutcome {
  return {
    id,
    ok: false,
    mismatches: [`the scenario failed: ${(error as Error)?.message ?? String(error)}`],
  };
}

/** Runs every answer and error scenario in order (a scenario that throws is a mismatch, the run goes on). */
export async function runCorpus(
  target: ConformanceTarget,
  recorder: RecordingDispatcher,
): Promise<ScenarioOutcome[]> {
  const outcomes: ScenarioOutcome[] = [];
  const skip = (id: string) => ({
    id,
    ok: true,
    skipped: 'protocol not recorded on this target',
    mismatches: [],
  });
  for (const f of ANSWER_FIXTURES) {
    if (!target.protocols.includes(f.protocol)) outcomes.push(skip(f.id));
    else outcomes.push(await runAnswerScenario(f, target, recorder).catch((e: unknown) => failed(f.id, e)));
  }
  for (const f of ERROR_FIXTURES) {
    if (!target.protocols.includes(f.protocol)) outcomes.push(skip(f.id));
    else outcomes.push(await runErrorScenario(f, target, recorder).catch((e: unknown) => failed(f.id, e)));
  }
  return outcomes;
}
