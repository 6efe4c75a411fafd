import { CiValidationError } from '../errors';
import {
  CI_GRAVITIES,
  CI_OUTPUT_FORMATS,
  CI_MOGR_OPERATION_NAMES,
  type CiImageMogr2Op,
  type CiImageMogr2Step,
  type CiImageView2Step,
  type CiRule,
  type CiRuleParam,
  type CiRuleStep,
  type CiUnknownStep,
  type CiWatermarkImageStep,
  type CiWatermarkTextStep,
} from './rule.types';
import { hasLoneSurrogate, isRuleToken } from './text-checks';

/** An operation or parameter name: what an unknown operation must look like to be kept. */
export const OPERATION_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;
const HEX_COLOR = /^#[0-9A-Fa-f]{6}$/;
const MOGR_NAMES: ReadonlySet<string> = new Set(CI_MOGR_OPERATION_NAMES);
const GRAVITIES: ReadonlySet<string> = new Set(CI_GRAVITIES);
const FORMATS: ReadonlySet<string> = new Set(CI_OUTPUT_FORMATS);

/** Keys of `imageView2` (after the optional mode), in the order they are emitted. */
export const IMAGE_VIEW2_KEYS = ['w', 'h', 'format', 'q', 'rq', 'lq'] as const;
/** Keys of `watermark/1`, in the order they are emitted. */
export const WATERMARK_IMAGE_KEYS = ['image', 'gravity', 'dx', 'dy', 'blogo'] as const;
/** Keys of `watermark/2`, in the order they are emitted. */
export const WATERMARK_TEXT_KEYS = [
  'text',
  'font',
  'fontsize',
  'fill',
  'dissolve',
  'gravity',
  'dx',
  'dy',
  'batch',
  'degree',
] as const;

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return value === null ? 'null' : typeof value;
}

function malformed(where: string, message: string): never {
  throw new CiValidationError('RULE_MALFORMED', `${where}: ${message}`);
}

function expectInt(where: string, label: string, value: unknown, min: number, max?: number): void {
  if (
    typeof value === 'number' &&
    Number.isSafeInteger(value) &&
    value >= min &&
    (max === undefined || value <= max)
  ) {
    return;
  }
  const expected =
    max !== undefined
      ? `an integer in ${min}..${max}`
      : min === 1
        ? 'a positive integer'
        : min === 0
          ? 'a non-negative integer'
          : `an integer >= ${min}`;
  malformed(where, `${label ? `${label} ` : ''}${show(value)} is not ${expected}`);
}

function expectOptionalInt(where: string, label: string, value: unknown, min: number, max?: number): void {
  if (value !== undefined) expectInt(where, label, value, min, max);
}

function expectOneOf(where: string, label: string, value: unknown, allowed: readonly unknown[]): void {
  if (!allowed.includes(value)) {
    malformed(where, `${label} ${show(value)} is not one of ${allowed.map((a) => String(a)).join(', ')}`);
  }
}

function expectOptionalBoolean(where: string, label: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'boolean')
    malformed(where, `${label} ${show(value)} is not a boolean`);
}

function expectGravity(where: string, value: unknown): void {
  if (value !== undefined && (typeof value !== 'string' || !GRAVITIES.has(value))) {
    malformed(where, `gravity ${show(value)} is not one of ${CI_GRAVITIES.join(', ')}`);
  }
}

function expectFormat(where: string, value: unknown): void {
  if (typeof value !== 'string' || !FORMATS.has(value)) {
    malformed(where, `format ${show(value)} is not one of ${CI_OUTPUT_FORMATS.join(', ')}`);
  }
}

function expectColor(where: string, label: string, value: unknown): void {
  if (value !== undefined && (typeof value !== 'string' || !HEX_COLOR.test(value))) {
    malformed(where, `${label} ${show(value)} is not a #RRGGBB colour`);
  }
}

function expectText(where: string, label: string, value: unknown): void {
  if (typeof value !== 'string' || value.length === 0)
    malformed(where, `${label} must be a non-empty string`);
  if (hasLoneSurrogate(value)) malformed(where, `${label} has a lone UTF-16 surrogate`);
}

function expectToken(where: string, label: string, value: unknown): void {
  if (typeof value !== 'string' || !isRuleToken(value)) {
    malformed(where, `${label} ${show(value)} must be non-empty, without "/", "|" or control characters`);
  }
}

function expectName(where: string, label: string, value: unknown): void {
  if (typeof value !== 'string' || !OPERATION_NAME.test(value)) {
    malformed(
      where,
      `${label} ${show(value)} is not an operation name (a letter, then letters, digits, "-" or "_")`,
    );
  }
}

function expectExtra(where: string, extra: unknown, known: readonly string[]): void {
  if (extra === undefined) return;
  if (!Array.isArray(extra)) malformed(where, 'extra must be an array of { name, value }');
  for (const param of extra as CiRuleParam[]) {
    if (typeof param !== 'object' || param === null)
      malformed(where, 'extra must be an array of { name, value }');
    expectName(where, 'extra parameter name', param.name);
    expectToken(where, `extra parameter ${param.name} value`, param.value);
    if (known.includes(param.name))
      malformed(where, `extra parameter ${show(param.name)} is a known parameter`);
  }
}

/**
 * Checks one imageMogr2 operation (ranges, required fields, enum values), throwing
 * `CiValidationError('RULE_MALFORMED')` with a message like `imageMogr2/quality: 101 is not an integer in 0..100`.
 */
export function validateImageMogr2Op(op: CiImageMogr2Op): void {
  if (typeof op !== 'object' || op === null)
    malformed('imageMogr2', `operation ${show(op)} is not an object`);
  const where = `imageMogr2/${String(op.op)}`;
  switch (op.op) {
    case 'thumbnail':
      switch (op.mode) {
        case 'scale':
        case 'widthScale':
        case 'heightScale':
          return expectInt(where, 'scale', op.scale, 1);
        case 'width':
          return expectInt(where, 'width', op.width, 1);
        case 'height':
          return expectInt(where, 'height', op.height, 1);
        case 'fit':
        case 'cover':
        case 'force':
        case 'shrink':
        case 'enlarge':
          expectInt(where, 'width', op.width, 1);
          return expectInt(where, 'height', op.height, 1);
        case 'area':
          return expectInt(where, 'area', op.area, 1);
        default:
          return malformed(where, `mode ${show((op as { mode: unknown }).mode)} is not a thumbnail mode`);
      }
    case 'crop':
      if (op.width === undefined && op.height === undefined)
        malformed(where, 'needs a width, a height or both');
      expectOptionalInt(where, 'width', op.width, 1);
      expectOptionalInt(where, 'height', op.height, 1);
      expectGravity(where, op.gravity);
      expectOptionalInt(where, 'dx', op.dx, 0);
      return expectOptionalInt(where, 'dy', op.dy, 0);
    case 'cut':
      expectInt(where, 'width', op.width, 1);
      expectInt(where, 'height', op.height, 1);
      expectInt(where, 'dx', op.dx, 0);
      return expectInt(where, 'dy', op.dy, 0);
    case 'iradius':
    case 'rradius':
      return expectInt(where, 'radius', op.radius, 1);
    case 'scrop':
      expectInt(where, 'width', op.width, 1);
      return expectInt(where, 'height', op.height, 1);
    case 'rotate':
      return expectInt(where, 'degrees', op.degrees, 0, 360);
    case 'auto-orient':
    case 'strip':
    case 'ignore-error':
      return;
    case 'flip':
      return expectOneOf(where, 'direction', op.direction, ['vertical', 'horizontal']);
    case 'format':
      return expectFormat(where, op.format);
    case 'quality':
      expectInt(where, '', op.value, 0, 100);
      return expectOptionalBoolean(where, 'force', op.force);
    case 'rquality':
    case 'lquality':
      return expectInt(where, '', op.value, 0, 100);
    case 'blur':
      expectInt(where, 'radius', op.radius, 1, 50);
      // Exponent forms (1e-7) would not read back, so sigma must print as plain decimals.
      if (typeof op.sigma !== 'number' || op.sigma <= 0 || !/^\d+(\.\d+)?$/.test(String(op.sigma))) {
        malformed(where, `sigma ${show(op.sigma)} is not a decimal number greater than 0`);
      }
      return;
    case 'sharpen':
      return expectInt(where, '', op.value, 10, 300);
    case 'bright':
    case 'contrast':
      return expectInt(where, '', op.value, -100, 100);
    case 'grayscale':
    case 'interlace':
      return expectOneOf(where, 'value', op.value, [0, 1]);
    case 'size-limit':
      expectInt(where, 'size', op.value, 1);
      expectOneOf(where, 'unit', op.unit, ['k', 'm']);
      return expectOptionalBoolean(where, 'force', op.force);
    case 'pad':
      return expectColor(where, 'color', op.color);
    case 'cgif':
      return expectInt(where, 'frames', op.frames, 1);
    case 'unknown': {
      const name = `imageMogr2 operation ${show(op.name)}`;
      expectName('imageMogr2', 'operation name', op.name);
      if (MOGR_NAMES.has(op.name)) malformed('imageMogr2', `${name} is known: use its typed form`);
      if (!Array.isArray(op.args)) malformed('imageMogr2', `${name} args must be an array of strings`);
      for (const arg of op.args) {
        expectToken('imageMogr2', `${name} argument`, arg);
        // The parser ends an unknown operation at the next known name, so such an argument would not survive.
        if (MOGR_NAMES.has(arg))
          malformed('imageMogr2', `${name} argument ${show(arg)} is a known operation name`);
      }
      return;
    }
    default:
      return malformed('imageMogr2', `operation ${show((op as { op: unknown }).op)} is not a known kind`);
  }
}

function validateImageMogr2Step(step: CiImageMogr2Step): void {
  if (!Array.isArray(step.ops) || step.ops.length === 0)
    malformed('imageMogr2', 'needs at least one operation');
  step.ops.forEach((op, index) => {
    validateImageMogr2Op(op);
    const previous = index > 0 ? step.ops[index - 1] : undefined;
    // `crop/.../gravity/...` and `pad/1/color/...` read those keys as their own parameters, so an unknown
    // operation of that name right after them would not read back as written.
    if (op.op === 'unknown' && previous?.op === 'crop' && ['gravity', 'dx', 'dy'].includes(op.name)) {
      malformed('imageMogr2/crop', `set ${op.name} on the crop operation, not as a separate operation`);
    }
    if (op.op === 'unknown' && previous?.op === 'pad' && op.name === 'color') {
      malformed('imageMogr2/pad', 'set color on the pad operation, not as a separate operation');
    }
    // An unknown operation reads every token up to the next known name, so two in a row read back as one.
    if (op.op === 'unknown' && previous?.op === 'unknown') {
      malformed(
        'imageMogr2',
        `operation ${show(op.name)} follows unknown operation ${show(previous.name)}: write them as one ` +
          `(name ${show(previous.name)}, args ${show([...previous.args, op.name, ...op.args].join('/'))})`,
      );
    }
  });
}

function validateImageView2Step(step: CiImageView2Step): void {
  const where = 'imageView2';
  if (step.mode !== undefined) {
    expectOneOf(where, 'mode', step.mode, [1, 2, 3, 4, 5]);
    if (step.width === undefined && step.height === undefined)
      malformed(where, `mode ${step.mode} needs w, h or both`);
  } else if (step.width !== undefined || step.height !== undefined) {
    malformed(where, 'w and h need a mode (1-5)');
  }
  expectOptionalInt(where, 'w', step.width, 1);
  expectOptionalInt(where, 'h', step.height, 1);
  if (step.format !== undefined) expectFormat(where, step.format);
  expectOptionalInt(where, 'q', step.quality, 0, 100);
  expectOptionalBoolean(where, 'forceQuality', step.forceQuality);
  if (step.forceQuality && step.quality === undefined) malformed(where, 'forceQuality needs a quality');
  expectOptionalInt(where, 'rq', step.rquality, 0, 100);
  expectOptionalInt(where, 'lq', step.lquality, 0, 100);
  expectExtra(where, step.extra, IMAGE_VIEW2_KEYS);
  const hasParam =
    step.mode !== undefined ||
    step.format !== undefined ||
    step.quality !== undefined ||
    step.rquality !== undefined ||
    step.lquality !== undefined ||
    (step.extra?.length ?? 0) > 0;
  if (!hasParam) malformed(where, 'needs a mode or at least one parameter');
}

function validateWatermarkImageStep(step: CiWatermarkImageStep): void {
  const where = 'watermark/1';
  expectText(where, 'image', step.image);
  let url: URL | undefined;
  try {
    url = new URL(step.image);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    malformed(where, `image ${show(step.image)} is not an absolute http(s) URL`);
  }
  expectGravity(where, step.gravity);
  expectOptionalInt(where, 'dx', step.dx, 0);
  expectOptionalInt(where, 'dy', step.dy, 0);
  if (step.blogo !== undefined) expectOneOf(where, 'blogo', step.blogo, [1, 2]);
  expectExtra(where, step.extra, WATERMARK_IMAGE_KEYS);
}

function validateWatermarkTextStep(step: CiWatermarkTextStep): void {
  const where = 'watermark/2';
  expectText(where, 'text', step.text);
  if (step.font !== undefined) expectText(where, 'font', step.font);
  expectOptionalInt(where, 'fontsize', step.fontSize, 1);
  expectColor(where, 'fill', step.fill);
  expectOptionalInt(where, 'dissolve', step.dissolve, 1, 100);
  expectGravity(where, step.gravity);
  expectOptionalInt(where, 'dx', step.dx, 0);
  expectOptionalInt(where, 'dy', step.dy, 0);
  if (step.batch !== undefined) expectOneOf(where, 'batch', step.batch, [0, 1]);
  expectOptionalInt(where, 'degree', step.degree, 0, 360);
  expectExtra(where, step.extra, WATERMARK_TEXT_KEYS);
}

function validateUnknownStep(step: CiUnknownStep): void {
  const where = `step ${show(step.name)}`;
  if (typeof step.raw !== 'string') malformed(where, 'raw must be a string');
  expectName(where, 'name', step.name);
  const tokens = step.raw.split('/');
  tokens.forEach((token) => expectToken(where, 'segment', token));
  if (tokens[0] !== step.name) malformed(where, `raw ${show(step.raw)} does not start with its name`);
  if (
    ['imageMogr2', 'imageView2', 'style'].includes(step.name) ||
    (step.name === 'watermark' && /^[12]$/.test(tokens[1] ?? ''))
  ) {
    malformed(where, `${show(step.raw)} is a known operation: use its typed form`);
  }
}

/**
 * Checks one step of a rule, throwing `CiValidationError('RULE_MALFORMED')` naming the operation and the bad value.
 */
export function validateStep(step: CiRuleStep): void {
  if (typeof step !== 'object' || step === null) malformed('rule', `step ${show(step)} is not an object`);
  switch (step.kind) {
    case 'imageMogr2':
      return validateImageMogr2Step(step);
    case 'imageView2':
      return validateImageView2Step(step);
    case 'watermark':
      if (step.type === 1) return validateWatermarkImageStep(step);
      if (step.type === 2) return validateWatermarkTextStep(step);
      return malformed('watermark', `type ${show((step as { type: unknown }).type)} is not 1 or 2`);
    case 'style':
      if (typeof step.name !== 'string' || !isRuleToken(step.name) || /\s/.test(step.name)) {
        malformed(
          'style',
          `name ${show(step.name)} must be non-empty, without "/", "|", spaces or control characters`,
        );
      }
      return;
    case 'unknown':
      return validateUnknownStep(step);
    default:
      return malformed('rule', `step kind ${show((step as { kind: unknown }).kind)} is not known`);
  }
}

/**
 * Checks a whole {@link CiRule}: at least one step (`RULE_EMPTY` otherwise) and every step valid
 * (`RULE_MALFORMED`, the message prefixed with the step number when the rule has several).
 */
export function validateRule(rule: CiRule): void {
  if (typeof rule !== 'object' || rule === null || !Array.isArray(rule.steps)) {
    throw new CiValidationError('RULE_MALFORMED', 'rule must be an object with a steps array');
  }
  if (rule.steps.length === 0) throw new CiValidationError('RULE_EMPTY', 'rule has no steps');
  rule.steps.forEach((step, index) => {
    try {
      validateStep(step);
    } catch (error) {
      if (rule.steps.length > 1 && error instanceof CiValidationError) {
        throw new CiValidationError(error.reason, `rule step ${index + 1}: ${error.message}`, {
          cause: error,
        });
      }
      throw error;
    }
  });
}
