import { CiValidationError } from '../../lib/core/errors';
import type { CiImageFormat } from '../../lib/core/media/image-format';
import { ciStepKey, parseRule, type CiRule } from '../../lib/core/rules';
import type { EncodeFormat } from './pixel-pipeline';
import { CiProcessingError } from './processing.error';
import { STEP_EXECUTORS, type ExecutableStepKey, type StepExecutor } from './rule-executors';
import type { CiStyles, PlannedStep, RulePlan } from './rule.types';

export type { CiStyles, PlannedStep, QualityDirective, RulePlan } from './rule.types';

/** Nested `style/<name>` steps followed at most this deep. */
const MAX_STYLE_DEPTH = 5;

function unsupported(label: string, what: string): CiProcessingError {
  return new CiProcessingError('InvalidArgument', `${label}: ${what} is not supported by the emulator`);
}

function expand(rule: CiRule, styles: CiStyles, depth: number, via: string[]): PlannedStep[] {
  const out: PlannedStep[] = [];
  rule.steps.forEach((step, index) => {
    const label = `step ${index + 1} (${step.kind}${step.kind === 'watermark' ? `/${step.type}` : ''})${
      via.length > 0 ? ` of style ${JSON.stringify(via[via.length - 1])}` : ''
    }`;
    if (step.kind === 'unknown') throw unsupported(label, `operation ${JSON.stringify(step.raw)}`);
    if (step.kind !== 'style') {
      out.push({ step, label });
      return;
    }
    if (!Object.prototype.hasOwnProperty.call(styles, step.name)) {
      throw new CiProcessingError(
        'StyleNotFound',
        `${label}: style ${JSON.stringify(step.name)} is not defined`,
      );
    }
    if (via.includes(step.name) || depth >= MAX_STYLE_DEPTH) {
      throw new CiProcessingError(
        'InvalidArgument',
        `${label}: style ${JSON.stringify(step.name)} refers to styles too deeply (${[...via, step.name].join(' -> ')})`,
      );
    }
    let parsed: CiRule;
    try {
      parsed = parseRule(styles[step.name]);
    } catch (error) {
      if (!(error instanceof CiValidationError)) throw error;
      throw new CiProcessingError(
        'InvalidArgument',
        `${label}: style ${JSON.stringify(step.name)} is not a valid rule (${error.message})`,
        { cause: error },
      );
    }
    out.push(...expand(parsed, styles, depth + 1, [...via, step.name]));
  });
  return out;
}

/**
 * Expands `style/<name>` steps (`StyleNotFound` for an unknown name), refuses what the emulator cannot execute
 * (`InvalidArgument` naming the operation: unknown steps and operations, unknown parameters, formats it cannot
 * write) and gathers the output settings. Runs before any pixel is decoded.
 */
export function planRule(rule: CiRule, styles: CiStyles = {}): RulePlan {
  const plan: RulePlan = {
    steps: expand(rule, styles, 0, []),
    qualities: [],
    strip: false,
    interlace: false,
    ignoreError: false,
    makesTransparency: false,
    slim: false,
    standIns: [],
  };
  for (const { step, label } of plan.steps) {
    if ('extra' in step && step.extra?.length) {
      throw unsupported(label, `parameter ${JSON.stringify(step.extra[0].name)}`);
    }
    stepExecutor(step).plan?.(step as never, plan, label);
  }
  return plan;
}

/** The executor of a planned step. */
export function stepExecutor(step: PlannedStep['step']): StepExecutor<string> {
  return STEP_EXECUTORS[ciStepKey(step) as ExecutableStepKey] as StepExecutor<string>;
}

/** The encoder for a rule's output: the asked format, else the source's (PNG when corners were cut from a JPEG or BMP). */
export function outputEncoding(
  plan: RulePlan,
  sourceType: CiImageFormat,
): { encoder: EncodeFormat; mozjpeg: boolean; reported: CiImageFormat } {
  const asked = plan.format;
  if (asked === 'jpg' || asked === 'jpeg' || asked === 'yjpeg') {
    return { encoder: 'jpeg', mozjpeg: asked === 'yjpeg', reported: 'jpeg' };
  }
  if (asked === 'png' || asked === 'webp' || asked === 'gif' || asked === 'bmp' || asked === 'avif') {
    return { encoder: asked, mozjpeg: false, reported: asked };
  }
  const keep: CiImageFormat = sourceType === 'heif' ? 'avif' : sourceType;
  if (plan.makesTransparency && (keep === 'jpeg' || keep === 'bmp'))
    return { encoder: 'png', mozjpeg: false, reported: 'png' };
  return { encoder: keep as EncodeFormat, mozjpeg: false, reported: keep };
}

/** Default quality of a lossy output: the source's (JPEG) or this when the source's cannot be read. */
export const DEFAULT_LOSSY_QUALITY = 90;

/**
 * The quality to encode with: starts from the source's estimated quality (JPEG) or {@link DEFAULT_LOSSY_QUALITY},
 * then applies the directives in order: `quality/<q>` (capped at the source's unless `!`), `rquality/<q>` (q% of
 * the source's), `lquality/<q>` (at least q).
 */
export function resolveQuality(plan: RulePlan, source: { type: CiImageFormat; quality: number }): number {
  let quality = source.type === 'jpeg' ? source.quality : DEFAULT_LOSSY_QUALITY;
  for (const directive of plan.qualities) {
    if (directive.kind === 'quality')
      quality = directive.force ? directive.value : Math.min(directive.value, source.quality);
    else if (directive.kind === 'rquality') quality = Math.round((source.quality * directive.value) / 100);
    else quality = Math.max(quality, directive.value);
  }
  return Math.min(100, Math.max(1, quality));
}
