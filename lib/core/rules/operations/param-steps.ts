import type {
  CiBlindWatermarkExtractStep,
  CiBlindWatermarkStep,
  CiQrCodeStep,
  CiGravity,
  CiImageView2Step,
  CiOutputFormat,
  CiRuleParam,
  CiWatermarkImageStep,
  CiWatermarkTextStep,
} from '../rule.types';
import { encodeUrlSafeBase64 } from '../url-safe-base64';
import {
  OPERATION_NAME,
  expectColor,
  expectFormat,
  expectGravity,
  expectHttpUrl,
  expectName,
  expectOneOf,
  expectOptionalBoolean,
  expectOptionalInt,
  expectText,
  expectToken,
  malformed,
  readBase64,
  readInt,
  show,
  unknownInStrictMode,
} from './rule-checks';

/** A step written as `head/key/value/key/value...`, with unknown pairs kept in `extra`. */
export type CiParamStep =
  | CiImageView2Step
  | CiWatermarkImageStep
  | CiWatermarkTextStep
  | CiBlindWatermarkStep
  | CiBlindWatermarkExtractStep
  | CiQrCodeStep;

/** One `key/value` parameter of a step: how it reads, writes and what it allows, defined once. */
export interface ParamSpec<S> {
  /** The key as written. */
  key: string;
  /** Reads `token` into `step`. */
  read(step: S, token: string, where: string): void;
  /** The value to write, or `undefined` when the step does not set it. */
  write(step: S): string | undefined;
  /** Throws `RULE_MALFORMED` for a bad value. */
  validate(step: S, where: string): void;
}

/**
 * Everything about one `key/value` step, in one place: its head (`watermark/2`), its parameters in the documented
 * (and emitted) order, which are required, and the checks that span several parameters.
 */
export interface ParamStepOperation<S extends CiParamStep> {
  /** Name for messages (`imageView2`, `watermark/1`). */
  where: string;
  /** Builds the step from the tokens after the step name; returns the step and the `key/value` tokens left. */
  head(tokens: string[], where: string): { step: S; rest: string[] };
  /** The tokens before the pairs (`['watermark', '2']`). */
  writeHead(step: S): string[];
  /** The parameters, in the order they are emitted. */
  params: readonly ParamSpec<S>[];
  /** Keys that must be present. */
  required?: readonly string[];
  /** Checks that span several fields (a mode needs a size, ...). */
  check?(step: S, where: string): void;
}

type Fields<S> = { [K in keyof S]?: unknown };

function set<S>(step: S, field: keyof S, value: unknown): void {
  (step as Fields<S>)[field] = value;
}

function get<S>(step: S, field: keyof S): unknown {
  return (step as Fields<S>)[field];
}

/** An integer parameter in `min..max` (`max` optional). */
export function intParam<S>(key: string, field: keyof S, min: number, max?: number): ParamSpec<S> {
  return {
    key,
    read: (step, token, where) => set(step, field, readInt(where, key, token)),
    write: (step) => (get(step, field) === undefined ? undefined : String(get(step, field))),
    validate: (step, where) => expectOptionalInt(where, key, get(step, field), min, max),
  };
}

/** An integer parameter with a fixed set of values. */
export function choiceParam<S>(key: string, field: keyof S, allowed: readonly number[]): ParamSpec<S> {
  return {
    key,
    read: (step, token, where) => set(step, field, readInt(where, key, token)),
    write: (step) => (get(step, field) === undefined ? undefined : String(get(step, field))),
    validate: (step, where) => {
      if (get(step, field) !== undefined) expectOneOf(where, key, get(step, field), allowed);
    },
  };
}

/** A text parameter carried URL-safe base64 encoded (decoded in the model); `check` validates the decoded text. */
export function base64Param<S>(
  key: string,
  field: keyof S,
  check: (where: string, label: string, value: unknown) => void,
): ParamSpec<S> {
  return {
    key,
    read: (step, token, where) => set(step, field, readBase64(where, key, token)),
    write: (step) =>
      get(step, field) === undefined ? undefined : encodeUrlSafeBase64(get(step, field) as string),
    validate: (step, where) => {
      if (get(step, field) !== undefined) check(where, key, get(step, field));
    },
  };
}

/** `gravity/<g>`, read in any case. */
export function gravityParam<S extends { gravity?: CiGravity }>(): ParamSpec<S> {
  return {
    key: 'gravity',
    read: (step, token) => set(step, 'gravity', token.toLowerCase()),
    write: (step) => step.gravity,
    validate: (step, where) => expectGravity(where, step.gravity),
  };
}

/** The keys of a step's parameters, in emitted order. */
export function paramKeys<S extends CiParamStep>(operation: ParamStepOperation<S>): string[] {
  return operation.params.map((p) => p.key);
}

/** Reads the `key/value` pairs of a step, refusing a missing value and duplicates. */
function readPairs(where: string, tokens: string[]): [string, string][] {
  if (tokens.length % 2 !== 0)
    malformed(where, `parameter ${JSON.stringify(tokens[tokens.length - 1])} needs a value`);
  const seen = new Set<string>();
  const out: [string, string][] = [];
  for (let i = 0; i < tokens.length; i += 2) {
    if (seen.has(tokens[i])) malformed(where, `parameter ${JSON.stringify(tokens[i])} is given twice`);
    seen.add(tokens[i]);
    out.push([tokens[i], tokens[i + 1]]);
  }
  return out;
}

/** Parses a `key/value` step from the tokens after its name, driven by its descriptor. */
export function parseParamStep<S extends CiParamStep>(
  operation: ParamStepOperation<S>,
  tokens: string[],
  strict: boolean,
): S {
  const { where } = operation;
  const { step, rest } = operation.head(tokens, where);
  const pairs = readPairs(where, rest);
  for (const key of operation.required ?? []) {
    if (!pairs.some(([k]) => k === key))
      malformed(where, `needs a${/^[aeiou]/.test(key) ? 'n' : ''} ${key} parameter`);
  }
  const byKey = new Map(operation.params.map((p) => [p.key, p]));
  const extra: CiRuleParam[] = [];
  // Required parameters first, so that a step's identity (its image, its text) is read before the rest.
  const ordered = [
    ...pairs.filter(([k]) => operation.required?.includes(k)),
    ...pairs.filter(([k]) => !operation.required?.includes(k)),
  ];
  for (const [key, token] of ordered) {
    const spec = byKey.get(key);
    if (spec) {
      spec.read(step, token, where);
      continue;
    }
    if (strict) unknownInStrictMode(`unknown ${where} parameter ${JSON.stringify(key)}`);
    if (!OPERATION_NAME.test(key)) malformed(where, `${JSON.stringify(key)} is not a parameter name`);
    extra.push({ name: key, value: token });
  }
  if (extra.length > 0) step.extra = extra;
  return step;
}

/** Writes a `key/value` step: head, known parameters in documented order, then `extra`. */
export function serializeParamStep<S extends CiParamStep>(
  operation: ParamStepOperation<S>,
  step: S,
): string[] {
  const out = operation.writeHead(step);
  for (const spec of operation.params) {
    const value = spec.write(step);
    if (value !== undefined) out.push(spec.key, value);
  }
  for (const param of step.extra ?? []) out.push(param.name, param.value);
  return out;
}

/** Validates a `key/value` step: each parameter, the required ones, the cross-field checks, then `extra`. */
export function validateParamStep<S extends CiParamStep>(operation: ParamStepOperation<S>, step: S): void {
  const { where } = operation;
  for (const spec of operation.params) spec.validate(step, where);
  operation.check?.(step, where);
  const extra: unknown = step.extra;
  if (extra === undefined) return;
  if (!Array.isArray(extra)) malformed(where, 'extra must be an array of { name, value }');
  const known = paramKeys(operation);
  for (const param of extra as CiRuleParam[]) {
    if (typeof param !== 'object' || param === null)
      malformed(where, 'extra must be an array of { name, value }');
    expectName(where, 'extra parameter name', param.name);
    expectToken(where, `extra parameter ${param.name} value`, param.value);
    if (known.includes(param.name))
      malformed(where, `extra parameter ${show(param.name)} is a known parameter`);
  }
}

const fixedHead =
  <S extends CiParamStep>(create: () => S) =>
  (tokens: string[]): { step: S; rest: string[] } => ({ step: create(), rest: tokens });

/** `imageView2/<mode>/w/<W>/h/<H>/format/<fmt>/q/<q>[!]/rq/<q>/lq/<q>/ignore-error/1`. */
export const IMAGE_VIEW2: ParamStepOperation<CiImageView2Step> = {
  where: 'imageView2',
  head(tokens, where) {
    const step: CiImageView2Step = { kind: 'imageView2' };
    if (tokens.length > 0 && /^\d+$/.test(tokens[0])) {
      step.mode = readInt(where, 'mode', tokens[0]) as CiImageView2Step['mode'];
      return { step, rest: tokens.slice(1) };
    }
    return { step, rest: tokens };
  },
  writeHead: (step) => (step.mode === undefined ? ['imageView2'] : ['imageView2', String(step.mode)]),
  params: [
    intParam<CiImageView2Step>('w', 'width', 1),
    intParam<CiImageView2Step>('h', 'height', 1),
    {
      key: 'format',
      read: (step, token) => (step.format = token.toLowerCase() as CiOutputFormat),
      write: (step) => step.format,
      validate: (step, where) => {
        if (step.format !== undefined) expectFormat(where, step.format);
      },
    },
    {
      key: 'q',
      read(step, token, where) {
        const m = /^(-?\d+)(!?)$/.exec(token);
        if (!m) malformed(where, `q ${JSON.stringify(token)} is not an integer with an optional "!"`);
        step.quality = Number(m[1]);
        if (m[2]) step.forceQuality = true;
      },
      write: (step) =>
        step.quality === undefined ? undefined : `${step.quality}${step.forceQuality ? '!' : ''}`,
      validate(step, where) {
        expectOptionalInt(where, 'q', step.quality, 0, 100);
        expectOptionalBoolean(where, 'forceQuality', step.forceQuality);
        if (step.forceQuality && step.quality === undefined) malformed(where, 'forceQuality needs a quality');
      },
    },
    intParam<CiImageView2Step>('rq', 'rquality', 0, 100),
    intParam<CiImageView2Step>('lq', 'lquality', 0, 100),
    {
      key: 'ignore-error',
      read(step, token, where) {
        if (token !== '1') malformed(where, `ignore-error ${JSON.stringify(token)} is not 1`);
        step.ignoreError = true;
      },
      write: (step) => (step.ignoreError ? '1' : undefined),
      validate: (step, where) => {
        if (step.ignoreError !== undefined && step.ignoreError !== true)
          malformed(where, `ignoreError ${show(step.ignoreError)} is not true`);
      },
    },
  ],
  check(step, where) {
    if (step.mode !== undefined) {
      expectOneOf(where, 'mode', step.mode, [1, 2, 3, 4, 5]);
      if (step.width === undefined && step.height === undefined)
        malformed(where, `mode ${step.mode} needs w, h or both`);
    } else if (step.width !== undefined || step.height !== undefined) {
      malformed(where, 'w and h need a mode (1-5)');
    }
    const hasParam =
      step.mode !== undefined ||
      step.format !== undefined ||
      step.quality !== undefined ||
      step.rquality !== undefined ||
      step.lquality !== undefined ||
      (step.extra?.length ?? 0) > 0;
    if (!hasParam) malformed(where, 'needs a mode or at least one parameter');
  },
};

/** `watermark/1/image/<b64 url>/gravity/<g>/dx/<n>/dy/<n>/blogo/<1|2>/scatype/<1-3>/spcent/<n>/dissolve/<n>`. */
export const WATERMARK_IMAGE: ParamStepOperation<CiWatermarkImageStep> = {
  where: 'watermark/1',
  head: fixedHead(() => ({ kind: 'watermark', type: 1, image: '' })),
  writeHead: () => ['watermark', '1'],
  required: ['image'],
  params: [
    base64Param<CiWatermarkImageStep>('image', 'image', expectHttpUrl),
    gravityParam<CiWatermarkImageStep>(),
    intParam<CiWatermarkImageStep>('dx', 'dx', 0),
    intParam<CiWatermarkImageStep>('dy', 'dy', 0),
    choiceParam<CiWatermarkImageStep>('blogo', 'blogo', [1, 2]),
    choiceParam<CiWatermarkImageStep>('scatype', 'scatype', [1, 2, 3]),
    intParam<CiWatermarkImageStep>('spcent', 'spcent', 1, 1000),
    intParam<CiWatermarkImageStep>('dissolve', 'dissolve', 1, 100),
  ],
  check(step, where) {
    expectHttpUrl(where, 'image', step.image);
    if (step.spcent !== undefined && step.scatype === undefined) malformed(where, 'spcent needs a scatype');
  },
};

/**
 * `watermark/2/text/<b64>/font/<b64>/fontsize/<pt>/fill/<b64 #RRGGBB>/dissolve/<1-100>/gravity/<g>/dx/<n>/dy/<n>/
 * batch/<0|1>/degree/<0-360>/shadow/<0-100>`.
 */
export const WATERMARK_TEXT: ParamStepOperation<CiWatermarkTextStep> = {
  where: 'watermark/2',
  head: fixedHead(() => ({ kind: 'watermark', type: 2, text: '' })),
  writeHead: () => ['watermark', '2'],
  required: ['text'],
  params: [
    base64Param<CiWatermarkTextStep>('text', 'text', expectText),
    base64Param<CiWatermarkTextStep>('font', 'font', expectText),
    intParam<CiWatermarkTextStep>('fontsize', 'fontSize', 1),
    base64Param<CiWatermarkTextStep>('fill', 'fill', expectColor),
    intParam<CiWatermarkTextStep>('dissolve', 'dissolve', 1, 100),
    gravityParam<CiWatermarkTextStep>(),
    intParam<CiWatermarkTextStep>('dx', 'dx', 0),
    intParam<CiWatermarkTextStep>('dy', 'dy', 0),
    choiceParam<CiWatermarkTextStep>('batch', 'batch', [0, 1]),
    intParam<CiWatermarkTextStep>('degree', 'degree', 0, 360),
    intParam<CiWatermarkTextStep>('shadow', 'shadow', 0, 100),
  ],
  check: (step, where) => expectText(where, 'text', step.text),
};

/** The checks both blind-watermark steps share: an image for types 1-2, a text for type 3. */
function checkBlind(step: CiBlindWatermarkStep | CiBlindWatermarkExtractStep, where: string): void {
  expectOneOf(where, 'type', step.blindType, [1, 2, 3]);
  if (step.blindType === 3 && step.text === undefined) malformed(where, 'type 3 needs a text parameter');
  if (step.blindType !== 3 && step.image === undefined)
    malformed(where, `type ${step.blindType} needs an image parameter`);
}

const blindTypeParam = <S extends CiBlindWatermarkStep | CiBlindWatermarkExtractStep>(): ParamSpec<S> =>
  choiceParam<S>('type', 'blindType', [1, 2, 3]);

/** `watermark/3/type/<1|2|3>/image/<b64 url>/text/<b64>/level/<1|2|3>`: a blind watermark. */
export const BLIND_WATERMARK: ParamStepOperation<CiBlindWatermarkStep> = {
  where: 'watermark/3',
  head: fixedHead(() => ({ kind: 'watermark', type: 3, blindType: 1 })),
  writeHead: () => ['watermark', '3'],
  required: ['type'],
  params: [
    blindTypeParam<CiBlindWatermarkStep>(),
    base64Param<CiBlindWatermarkStep>('image', 'image', expectHttpUrl),
    base64Param<CiBlindWatermarkStep>('text', 'text', expectText),
    choiceParam<CiBlindWatermarkStep>('level', 'level', [1, 2, 3]),
  ],
  check: checkBlind,
};

/** `watermark/4/type/<1|2|3>/image/<b64 url>/text/<b64>`: blind watermark extraction. */
export const BLIND_WATERMARK_EXTRACT: ParamStepOperation<CiBlindWatermarkExtractStep> = {
  where: 'watermark/4',
  head: fixedHead(() => ({ kind: 'watermark', type: 4, blindType: 1 })),
  writeHead: () => ['watermark', '4'],
  required: ['type'],
  params: [
    blindTypeParam<CiBlindWatermarkExtractStep>(),
    base64Param<CiBlindWatermarkExtractStep>('image', 'image', expectHttpUrl),
    base64Param<CiBlindWatermarkExtractStep>('text', 'text', expectText),
  ],
  check: checkBlind,
};

/** `QRcode/cover/<0|1>`: QR code recognition, optionally covering the codes. */
export const QR_CODE: ParamStepOperation<CiQrCodeStep> = {
  where: 'QRcode',
  head: fixedHead(() => ({ kind: 'QRcode' })),
  writeHead: () => ['QRcode'],
  params: [choiceParam<CiQrCodeStep>('cover', 'cover', [0, 1])],
};
