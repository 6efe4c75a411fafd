import type {
  CiCiProcessStep,
  CiImageMogr2Op,
  CiImageMogr2Step,
  CiKnownMogrOpName,
  CiRuleParam,
  CiStepKey,
  CiStepOf,
  CiStyleStep,
  CiUnknownStep,
} from '../rule.types';
import { isRuleToken } from '../text-checks';
import {
  CI_MOGR_OPERATION_NAMES,
  mogrOperation,
  type MogrOpOf,
  type MogrTokenReader,
} from './mogr-operations';
import {
  BLIND_WATERMARK,
  BLIND_WATERMARK_EXTRACT,
  IMAGE_VIEW2,
  QR_CODE,
  WATERMARK_IMAGE,
  WATERMARK_TEXT,
  parseParamStep,
  serializeParamStep,
  validateParamStep,
  type CiParamStep,
  type ParamStepOperation,
} from './param-steps';
import { OPERATION_NAME, expectName, expectToken, malformed, show, unknownInStrictMode } from './rule-checks';

/**
 * Everything about one kind of step, in one place: how it reads from the tokens after its name (or from its whole
 * text), how it writes back, and what it allows. {@link STEP_OPERATIONS} drives `parseRule`, `serializeRule` and
 * `validateRule`; the emulator keys its executors by the same {@link CiStepKey}s.
 */
export interface StepOperation<K extends CiStepKey> {
  /** Reads the step: `tokens` are the `/`-separated segments after its first one, `text` the whole step. */
  parse(tokens: string[], text: string, strict: boolean): CiStepOf<K>;
  /** The step's text. */
  serialize(step: CiStepOf<K>): string;
  /** Throws `RULE_MALFORMED` for a bad value. */
  validate(step: CiStepOf<K>): void;
}

const MOGR_NAMES: ReadonlySet<string> = new Set(CI_MOGR_OPERATION_NAMES);

function parseImageMogr2(tokens: string[], strict: boolean): CiImageMogr2Op[] {
  if (tokens.length === 0) malformed('imageMogr2', 'needs at least one operation');
  let i = 0;
  const read: MogrTokenReader = {
    value(where) {
      if (i >= tokens.length) malformed(where, 'needs a value');
      return tokens[i++];
    },
    match(where, pattern, form) {
      const token = read.value(where);
      const found = pattern.exec(token);
      if (!found) malformed(where, `${JSON.stringify(token)} is not ${form}`);
      return found;
    },
    peek: () => tokens[i],
    skip: () => void i++,
  };
  const ops: CiImageMogr2Op[] = [];
  while (i < tokens.length) {
    const name = tokens[i++];
    const operation = mogrOperation(name);
    if (operation) {
      ops.push(operation.parse(read, name as CiKnownMogrOpName, `imageMogr2/${name}`));
      continue;
    }
    if (strict) unknownInStrictMode(`unknown imageMogr2 operation ${JSON.stringify(name)}`);
    if (!OPERATION_NAME.test(name))
      malformed('imageMogr2', `${JSON.stringify(name)} is not an operation name`);
    // An operation we do not model: its arity is unknown, so it takes every token up to the next known name.
    const args: string[] = [];
    while (i < tokens.length && !MOGR_NAMES.has(tokens[i])) args.push(tokens[i++]);
    ops.push({ op: 'unknown', name, args });
  }
  return ops;
}

function validateMogrOp(op: CiImageMogr2Op): void {
  if (typeof op !== 'object' || op === null)
    malformed('imageMogr2', `operation ${show(op)} is not an object`);
  if (op.op === 'unknown') {
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
  const operation = mogrOperation(op.op);
  if (!operation)
    malformed('imageMogr2', `operation ${show((op as { op: unknown }).op)} is not a known kind`);
  operation.validate(op as MogrOpOf<CiKnownMogrOpName>, `imageMogr2/${op.op}`);
}

function validateMogrStep(step: CiImageMogr2Step): void {
  if (!Array.isArray(step.ops) || step.ops.length === 0)
    malformed('imageMogr2', 'needs at least one operation');
  step.ops.forEach((op, index) => {
    validateMogrOp(op);
    const previous = index > 0 ? step.ops[index - 1] : undefined;
    // `crop/.../gravity/...` and `pad/1/color/...` read those names as their own parameters, so an unknown
    // operation of that name right after them would not read back as written.
    const owned = previous && previous.op !== 'unknown' ? mogrOperation(previous.op)?.ownParams : undefined;
    if (op.op === 'unknown' && previous && owned?.includes(op.name)) {
      malformed(
        `imageMogr2/${previous.op}`,
        `set ${op.name} on the ${previous.op} operation, not as a separate operation`,
      );
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

const PROCESS_PARAM_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

function validateCiProcess(step: CiCiProcessStep): void {
  const where = 'ci-process';
  expectName(where, 'process', step.process);
  if (!Array.isArray(step.params)) malformed(where, 'params must be an array of { name, value }');
  for (const param of step.params as CiRuleParam[]) {
    if (typeof param !== 'object' || param === null || !PROCESS_PARAM_NAME.test(String(param.name))) {
      malformed(where, `parameter name ${show(param?.name)} is not a name`);
    }
    if (
      typeof param.value !== 'string' ||
      /[&=|]/.test(param.value) ||
      !isRuleToken(param.value.replace(/\//g, 'x'))
    ) {
      malformed(
        where,
        `parameter ${param.name} value ${show(param.value)} must be non-empty, without "&", "=", "|" or control characters`,
      );
    }
  }
}

function parseCiProcess(text: string): CiCiProcessStep {
  const [head, ...pairs] = text.split('&');
  const step: CiCiProcessStep = { kind: 'ciProcess', process: head.slice('ci-process='.length), params: [] };
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) malformed('ci-process', `parameter ${JSON.stringify(pair)} is not <name>=<value>`);
    step.params.push({ name: pair.slice(0, eq), value: pair.slice(eq + 1) });
  }
  return step;
}

function validateUnknownStep(step: CiUnknownStep): void {
  const where = `step ${show(step.name)}`;
  if (typeof step.raw !== 'string') malformed(where, 'raw must be a string');
  expectName(where, 'name', step.name);
  const tokens = step.raw.split('/');
  tokens.forEach((token) => expectToken(where, 'segment', token));
  if (tokens[0] !== step.name) malformed(where, `raw ${show(step.raw)} does not start with its name`);
  if (
    Object.prototype.hasOwnProperty.call(STEP_NAMES, step.name) ||
    (step.name === 'watermark' && /^[1-4]$/.test(tokens[1] ?? ''))
  ) {
    malformed(where, `${show(step.raw)} is a known operation: use its typed form`);
  }
}

/**
 * The descriptor of a step read by its parameter table: `headTokens` segments after the step's name belong to its
 * head (`watermark/1`'s `1`), the rest are `name/value` parameters.
 */
function paramStepOperation<S extends CiParamStep>(
  operation: ParamStepOperation<S>,
  headTokens = 0,
): {
  parse(tokens: string[], text: string, strict: boolean): S;
  serialize(step: S): string;
  validate(step: S): void;
} {
  return {
    parse: (tokens, _text, strict) =>
      parseParamStep(operation, headTokens ? tokens.slice(headTokens) : tokens, strict),
    serialize: (step) => serializeParamStep(operation, step).join('/'),
    validate: (step) => validateParamStep(operation, step),
  };
}

/** The descriptor of every kind of step, keyed by {@link CiStepKey}: a key without a descriptor does not compile. */
export const STEP_OPERATIONS: { readonly [K in CiStepKey]: StepOperation<K> } = {
  imageMogr2: {
    parse: (tokens, _text, strict) => ({ kind: 'imageMogr2', ops: parseImageMogr2(tokens, strict) }),
    serialize: (step) =>
      [
        'imageMogr2',
        ...step.ops.flatMap((op) =>
          op.op === 'unknown'
            ? [op.name, ...op.args]
            : (mogrOperation(op.op)?.serialize(op as MogrOpOf<CiKnownMogrOpName>) ?? []),
        ),
      ].join('/'),
    validate: validateMogrStep,
  },
  imageView2: paramStepOperation(IMAGE_VIEW2),
  'watermark/1': paramStepOperation(WATERMARK_IMAGE, 1),
  'watermark/2': paramStepOperation(WATERMARK_TEXT, 1),
  'watermark/3': paramStepOperation(BLIND_WATERMARK, 1),
  'watermark/4': paramStepOperation(BLIND_WATERMARK_EXTRACT, 1),
  QRcode: paramStepOperation(QR_CODE),
  imageSlim: {
    parse(tokens) {
      if (tokens.length > 0)
        malformed('imageSlim', `takes no parameter, got ${JSON.stringify(tokens.join('/'))}`);
      return { kind: 'imageSlim' };
    },
    serialize: () => 'imageSlim',
    validate: () => undefined,
  },
  ciProcess: {
    parse: (_tokens, text) => parseCiProcess(text),
    serialize: (step) =>
      [`ci-process=${step.process}`, ...step.params.map((p) => `${p.name}=${p.value}`)].join('&'),
    validate: validateCiProcess,
  },
  style: {
    parse(tokens) {
      if (tokens.length !== 1)
        malformed(
          'style',
          tokens.length === 0 ? 'needs a name' : `name ${JSON.stringify(tokens.join('/'))} has a "/"`,
        );
      return { kind: 'style', name: tokens[0] };
    },
    serialize: (step: CiStyleStep) => `style/${step.name}`,
    validate(step) {
      if (typeof step.name !== 'string' || !isRuleToken(step.name) || /\s/.test(step.name)) {
        malformed(
          'style',
          `name ${show(step.name)} must be non-empty, without "/", "|", spaces or control characters`,
        );
      }
    },
  },
  unknown: {
    parse(_tokens, text, strict) {
      const name = text.split('/')[0];
      if (strict) unknownInStrictMode(`unknown operation ${JSON.stringify(name)}`);
      if (!OPERATION_NAME.test(name)) malformed('rule', `${JSON.stringify(name)} is not an operation name`);
      return { kind: 'unknown', name, raw: text };
    },
    serialize: (step) => step.raw,
    validate: validateUnknownStep,
  },
};

/** First segment of a step → the key of its descriptor (`watermark` is told apart by its type). */
const STEP_NAMES: Readonly<Record<string, CiStepKey>> = {
  imageMogr2: 'imageMogr2',
  imageView2: 'imageView2',
  imageSlim: 'imageSlim',
  QRcode: 'QRcode',
  style: 'style',
};

/** The key of the descriptor that reads a step written `text` whose first segment is `name`. */
export function stepKeyOf(name: string, tokens: string[], text: string, strict: boolean): CiStepKey {
  if (text.startsWith('ci-process=')) return 'ciProcess';
  if (Object.prototype.hasOwnProperty.call(STEP_NAMES, name)) return STEP_NAMES[name];
  if (name !== 'watermark') return 'unknown';
  const type = tokens[0];
  if (type === '1' || type === '2' || type === '3' || type === '4') return `watermark/${type}`;
  if (type === undefined || !/^\d+$/.test(type))
    malformed('watermark', `type ${JSON.stringify(type ?? '')} is not a number`);
  if (strict) unknownInStrictMode(`watermark type ${type} is not modelled`);
  return 'unknown';
}
