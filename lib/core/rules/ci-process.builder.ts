import type { CiCiProcessStep, CiImageSlimStep } from './rule.types';
import { FixedStepBuilder } from './step.builder';

/** Builder of one `imageSlim` or `ci-process=...` step; see {@link imageSlim} and {@link ciProcess}. */
export class CiProcessBuilder extends FixedStepBuilder<CiImageSlimStep | CiCiProcessStep> {}

/**
 * Builds an `imageSlim` step: CI's slimming of JPEG and PNG without visible change.
 * @example imageSlim().toString() // 'imageSlim'
 */
export function imageSlim(): CiProcessBuilder {
  return new CiProcessBuilder({ kind: 'imageSlim' });
}

/**
 * Builds a `ci-process=<name>&<key>=<value>...` rule (AI processing through Pic-Operations), parameters in the
 * given order.
 * @example ciProcess('AIPicMatting', { 'center-layout': '1' }).toString() // 'ci-process=AIPicMatting&center-layout=1'
 */
export function ciProcess(name: string, params: Record<string, string | number> = {}): CiProcessBuilder {
  return new CiProcessBuilder({
    kind: 'ciProcess',
    process: name,
    params: Object.entries(params).map(([key, value]) => ({ name: key, value: String(value) })),
  });
}
