import {
  CI_MOGR_OPERATION_NAMES,
  STEP_OPERATIONS,
  type CiKnownMogrOpName,
  type CiStepKey,
} from '../../lib/core/rules';
import {
  MOGR_EXECUTORS,
  STEP_EXECUTORS,
  type ExecutableStepKey,
  type MogrExecutorMap,
  type StepExecutorMap,
} from './rule-executors';

/*
 * How the compiler keeps the executor complete: `MOGR_EXECUTORS` is typed `MogrExecutorMap<CiKnownMogrOpName>`, a
 * mapped type with one required key per operation the core model knows (the keys of `MOGR_OPERATIONS`), and
 * `STEP_EXECUTORS` likewise over `CiStepKey`. Adding an operation to the model without an executor fails
 * `npm run typecheck`. The `@ts-expect-error` lines below fail the typecheck if that ever stops being true.
 */
describe('executor maps are exhaustive over the core model', () => {
  it('a map missing one known operation does not compile', () => {
    const { thumbnail: _dropped, ...missing } = MOGR_EXECUTORS;
    // @ts-expect-error -- 'thumbnail' has no executor
    const incomplete: MogrExecutorMap<CiKnownMogrOpName> = missing;
    expect(Object.keys(incomplete)).not.toContain('thumbnail');
  });

  it('adding a fake operation to the known list without an executor does not compile', () => {
    // @ts-expect-error -- 'fakeop' is known but has no executor
    const withFake: MogrExecutorMap<CiKnownMogrOpName | 'fakeop'> = MOGR_EXECUTORS;
    expect(Object.keys(withFake)).not.toContain('fakeop');
    // @ts-expect-error -- a new step kind without an executor
    const withFakeStep: StepExecutorMap<ExecutableStepKey | 'fakeStep'> = STEP_EXECUTORS;
    expect(Object.keys(withFakeStep)).not.toContain('fakeStep');
  });

  it('an executor that neither plans nor runs does not compile', () => {
    // @ts-expect-error -- an executor needs plan or run
    const empty: MogrExecutorMap<'strip'> = { strip: {} };
    expect(empty.strip).toEqual({});
  });

  it('has an executor for every operation and step kind the core model parses', () => {
    expect(Object.keys(MOGR_EXECUTORS).sort()).toEqual([...CI_MOGR_OPERATION_NAMES].sort());
    const executable = (Object.keys(STEP_OPERATIONS) as CiStepKey[]).filter(
      (key) => key !== 'style' && key !== 'unknown',
    );
    expect(Object.keys(STEP_EXECUTORS).sort()).toEqual(executable.sort());
  });
});
