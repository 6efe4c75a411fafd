import type { CiOutputFormat, CiRuleStep } from '../../lib/core/rules';
import type { ImageHeader } from './image-probe';
import type { ProcessingLimits } from './processing-limits';

// Shared by the rule planner, the step executors and the rule runner, so that none imports another for them.

/** Styles by name: each a rule string (`imageMogr2/thumbnail/400x|watermark/2/...`). */
export type CiStyles = Readonly<Record<string, string>>;

/** One step of a rule after `style/<name>` expansion, with its place for error messages. */
export interface PlannedStep {
  step: Exclude<CiRuleStep, { kind: 'style' | 'unknown' }>;
  /** `step 2 (imageMogr2)`, or `step 1 (watermark) of style "x"`. */
  label: string;
}

/** One quality directive, in rule order. */
export type QualityDirective =
  { kind: 'quality'; value: number; force: boolean } | { kind: 'rquality' | 'lquality'; value: number };

/** What a rule asks of the output, gathered from all its steps. */
export interface RulePlan {
  steps: PlannedStep[];
  /** The last `format/...` asked for, if any. */
  format?: CiOutputFormat;
  qualities: QualityDirective[];
  strip: boolean;
  interlace: boolean;
  ignoreError: boolean;
  /** `size-limit`: bytes, and `!` (return the source when smaller). */
  sizeLimit?: { bytes: number; force: boolean };
  /** `cgif/<n>`: frames to keep. */
  frames?: number;
  /** `frame/<n>`: the one frame (1-based) to output. */
  frame?: number;
  /** The rule cuts transparent corners (`iradius`, `rradius`). */
  makesTransparency: boolean;
  /** `imageSlim`: re-encode as small as possible without visible change. */
  slim: boolean;
  /** Operations answered by a documented stand-in (`ci-process=...`), for the log and the README's table. */
  standIns: string[];
}

/** What {@link executeRule} needs besides the image and the rule. */
export interface ExecuteRuleContext {
  /** Styles for `style/<name>` steps, by name. Default none. */
  styles?: CiStyles;
  /** Returns the bytes behind a `watermark/1` image URL, or `undefined` when there is no such object. */
  loadWatermark?: (url: string) => Promise<Buffer | undefined>;
  /** Limits; unset ones take their defaults. */
  limits?: Partial<ProcessingLimits>;
  /** The source's header when the caller has already read it (saves reading it again). */
  header?: ImageHeader;
}
