import { CiValidationError } from '../errors';
import {
  CI_MOGR_OPERATION_NAMES,
  type CiCropOp,
  type CiGravity,
  type CiOutputFormat,
  type CiImageMogr2Op,
  type CiImageView2Step,
  type CiRule,
  type CiRuleParam,
  type CiRuleStep,
  type CiThumbnailOp,
  type CiWatermarkImageStep,
  type CiWatermarkTextStep,
} from './rule.types';
import { OPERATION_NAME, validateStep } from './rule.validator';
import { hasControlChar } from './text-checks';
import { decodeUrlSafeBase64 } from './url-safe-base64';

/** Options of {@link parseRule}. */
export interface ParseRuleOptions {
  /**
   * Refuse what this model does not know (a top-level operation, an imageMogr2 operation, an imageView2 or
   * watermark parameter) with `RULE_UNKNOWN_OPERATION`, instead of keeping it raw so that it still reaches CI.
   * Default `false`.
   */
  strict?: boolean;
}

const MOGR_NAMES: ReadonlySet<string> = new Set(CI_MOGR_OPERATION_NAMES);
const INT = /^-?\d+$/;

function bad(where: string, message: string): never {
  throw new CiValidationError('RULE_MALFORMED', `${where}: ${message}`);
}

function unknown(message: string): never {
  throw new CiValidationError(
    'RULE_UNKNOWN_OPERATION',
    `${message} (strict mode refuses what it does not know)`,
  );
}

function int(where: string, label: string, token: string): number {
  const value = Number(token);
  if (!INT.test(token) || !Number.isSafeInteger(value)) {
    bad(where, `${label ? `${label} ` : ''}${JSON.stringify(token)} is not an integer`);
  }
  return value;
}

function base64Text(where: string, label: string, token: string): string {
  const text = decodeUrlSafeBase64(token);
  if (text === undefined)
    bad(where, `${label} ${JSON.stringify(token)} is not URL-safe base64 of UTF-8 text`);
  return text;
}

const THUMBNAIL_FORMS: [RegExp, (m: RegExpExecArray) => CiThumbnailOp][] = [
  [/^!(\d+)p$/, (m) => ({ op: 'thumbnail', mode: 'scale', scale: Number(m[1]) })],
  [/^!(\d+)px$/, (m) => ({ op: 'thumbnail', mode: 'widthScale', scale: Number(m[1]) })],
  [/^!x(\d+)p$/, (m) => ({ op: 'thumbnail', mode: 'heightScale', scale: Number(m[1]) })],
  [/^(\d+)x$/, (m) => ({ op: 'thumbnail', mode: 'width', width: Number(m[1]) })],
  [/^x(\d+)$/, (m) => ({ op: 'thumbnail', mode: 'height', height: Number(m[1]) })],
  [/^(\d+)x(\d+)$/, (m) => ({ op: 'thumbnail', mode: 'fit', width: Number(m[1]), height: Number(m[2]) })],
  [/^!(\d+)x(\d+)r$/, (m) => ({ op: 'thumbnail', mode: 'cover', width: Number(m[1]), height: Number(m[2]) })],
  [/^(\d+)x(\d+)!$/, (m) => ({ op: 'thumbnail', mode: 'force', width: Number(m[1]), height: Number(m[2]) })],
  [/^(\d+)x(\d+)>$/, (m) => ({ op: 'thumbnail', mode: 'shrink', width: Number(m[1]), height: Number(m[2]) })],
  [
    /^(\d+)x(\d+)<$/,
    (m) => ({ op: 'thumbnail', mode: 'enlarge', width: Number(m[1]), height: Number(m[2]) }),
  ],
  [/^(\d+)@$/, (m) => ({ op: 'thumbnail', mode: 'area', area: Number(m[1]) })],
];

function parseThumbnail(token: string): CiThumbnailOp {
  for (const [pattern, build] of THUMBNAIL_FORMS) {
    const match = pattern.exec(token);
    if (match) return build(match);
  }
  return bad(
    'imageMogr2/thumbnail',
    `${JSON.stringify(token)} is not a thumbnail size (!<s>p, !<s>px, !x<s>p, <W>x, x<H>, <W>x<H>, !<W>x<H>r, ` +
      '<W>x<H>!, <W>x<H>>, <W>x<H><, <Area>@)',
  );
}

/** Reads `imageMogr2/<op>/<op>...` (the tokens after `imageMogr2`). */
function parseImageMogr2(tokens: string[], strict: boolean): CiImageMogr2Op[] {
  const ops: CiImageMogr2Op[] = [];
  let i = 0;
  const value = (where: string): string => {
    if (i >= tokens.length) bad(where, 'needs a value');
    return tokens[i++];
  };
  const match = (where: string, pattern: RegExp, form: string): RegExpExecArray => {
    const token = value(where);
    const found = pattern.exec(token);
    if (!found) bad(where, `${JSON.stringify(token)} is not ${form}`);
    return found;
  };

  if (tokens.length === 0) bad('imageMogr2', 'needs at least one operation');
  while (i < tokens.length) {
    const name = tokens[i++];
    const where = `imageMogr2/${name}`;
    switch (name) {
      case 'thumbnail':
        ops.push(parseThumbnail(value(where)));
        break;
      case 'crop': {
        const [, w, h] = match(where, /^(\d*)x(\d*)$/, '<W>x, x<H> or <W>x<H>');
        if (!w && !h) bad(where, '"x" needs a width, a height or both');
        const op: CiCropOp = { op: 'crop' };
        if (w) op.width = int(where, 'width', w);
        if (h) op.height = int(where, 'height', h);
        while (i < tokens.length && ['gravity', 'dx', 'dy'].includes(tokens[i])) {
          const key = tokens[i++] as 'gravity' | 'dx' | 'dy';
          if (op[key] !== undefined) bad(where, `${key} is given twice`);
          const token = value(`${where}/${key}`);
          if (key === 'gravity') op.gravity = token.toLowerCase() as CiGravity;
          else op[key] = int(where, key, token);
        }
        ops.push(op);
        break;
      }
      case 'cut': {
        const m = match(where, /^(\d+)x(\d+)x(\d+)x(\d+)$/, '<w>x<h>x<dx>x<dy>');
        ops.push({
          op: 'cut',
          width: Number(m[1]),
          height: Number(m[2]),
          dx: Number(m[3]),
          dy: Number(m[4]),
        });
        break;
      }
      case 'iradius':
      case 'rradius':
        ops.push({ op: name, radius: int(where, 'radius', value(where)) });
        break;
      case 'scrop': {
        const m = match(where, /^(\d+)x(\d+)$/, '<W>x<H>');
        ops.push({ op: 'scrop', width: Number(m[1]), height: Number(m[2]) });
        break;
      }
      case 'rotate':
        ops.push({ op: 'rotate', degrees: int(where, 'degrees', value(where)) });
        break;
      case 'auto-orient':
      case 'strip':
        ops.push({ op: name });
        break;
      case 'flip':
        ops.push({ op: 'flip', direction: value(where) as 'vertical' | 'horizontal' });
        break;
      case 'format':
        ops.push({ op: 'format', format: value(where).toLowerCase() as CiOutputFormat });
        break;
      case 'quality': {
        const m = match(where, /^(-?\d+)(!?)$/, 'an integer with an optional "!"');
        ops.push(
          m[2] ? { op: 'quality', value: Number(m[1]), force: true } : { op: 'quality', value: Number(m[1]) },
        );
        break;
      }
      case 'rquality':
      case 'lquality':
      case 'sharpen':
      case 'bright':
      case 'contrast':
        ops.push({ op: name, value: int(where, '', value(where)) });
        break;
      case 'grayscale':
      case 'interlace':
        ops.push({ op: name, value: int(where, '', value(where)) as 0 | 1 });
        break;
      case 'blur': {
        const m = match(where, /^(\d+)x(\d+(?:\.\d+)?)$/, '<radius>x<sigma>');
        ops.push({ op: 'blur', radius: Number(m[1]), sigma: Number(m[2]) });
        break;
      }
      case 'size-limit': {
        const m = match(where, /^(\d+)([km])(!?)$/, '<n>k or <n>m with an optional "!"');
        const op = { op: 'size-limit', value: Number(m[1]), unit: m[2] as 'k' | 'm' } as const;
        ops.push(m[3] ? { ...op, force: true } : op);
        break;
      }
      case 'ignore-error': {
        const token = value(where);
        if (token !== '1') bad(where, `${JSON.stringify(token)} is not 1`);
        ops.push({ op: 'ignore-error' });
        break;
      }
      case 'pad': {
        const token = value(where);
        if (token !== '1') bad(where, `${JSON.stringify(token)} is not 1`);
        if (tokens[i] === 'color') {
          i++;
          ops.push({ op: 'pad', color: base64Text(where, 'color', value(`${where}/color`)) });
        } else {
          ops.push({ op: 'pad' });
        }
        break;
      }
      case 'cgif':
        ops.push({ op: 'cgif', frames: int(where, 'frames', value(where)) });
        break;
      default: {
        if (strict) unknown(`unknown imageMogr2 operation ${JSON.stringify(name)}`);
        if (!OPERATION_NAME.test(name)) bad('imageMogr2', `${JSON.stringify(name)} is not an operation name`);
        // An operation we do not model: its arity is unknown, so it takes every token up to the next known name.
        const args: string[] = [];
        while (i < tokens.length && !MOGR_NAMES.has(tokens[i])) args.push(tokens[i++]);
        ops.push({ op: 'unknown', name, args });
      }
    }
  }
  return ops;
}

/** Reads the `key/value` pairs of imageView2 and watermark steps, refusing duplicates. */
function readPairs(where: string, tokens: string[]): [string, string][] {
  if (tokens.length % 2 !== 0)
    bad(where, `parameter ${JSON.stringify(tokens[tokens.length - 1])} needs a value`);
  const seen = new Set<string>();
  const out: [string, string][] = [];
  for (let i = 0; i < tokens.length; i += 2) {
    if (seen.has(tokens[i])) bad(where, `parameter ${JSON.stringify(tokens[i])} is given twice`);
    seen.add(tokens[i]);
    out.push([tokens[i], tokens[i + 1]]);
  }
  return out;
}

function extraParam(where: string, key: string, value: string, strict: boolean, extra: CiRuleParam[]): void {
  if (strict) unknown(`unknown ${where} parameter ${JSON.stringify(key)}`);
  if (!OPERATION_NAME.test(key)) bad(where, `${JSON.stringify(key)} is not a parameter name`);
  extra.push({ name: key, value });
}

function parseImageView2(tokens: string[], strict: boolean): CiImageView2Step {
  const where = 'imageView2';
  const step: CiImageView2Step = { kind: 'imageView2' };
  let rest = tokens;
  if (tokens.length > 0 && /^\d+$/.test(tokens[0])) {
    step.mode = int(where, 'mode', tokens[0]) as CiImageView2Step['mode'];
    rest = tokens.slice(1);
  }
  const extra: CiRuleParam[] = [];
  for (const [key, token] of readPairs(where, rest)) {
    switch (key) {
      case 'w':
        step.width = int(where, 'w', token);
        break;
      case 'h':
        step.height = int(where, 'h', token);
        break;
      case 'format':
        step.format = token.toLowerCase() as CiOutputFormat;
        break;
      case 'q': {
        const m = /^(-?\d+)(!?)$/.exec(token);
        if (!m) bad(where, `q ${JSON.stringify(token)} is not an integer with an optional "!"`);
        step.quality = Number(m[1]);
        if (m[2]) step.forceQuality = true;
        break;
      }
      case 'rq':
        step.rquality = int(where, 'rq', token);
        break;
      case 'lq':
        step.lquality = int(where, 'lq', token);
        break;
      default:
        extraParam(where, key, token, strict, extra);
    }
  }
  if (extra.length > 0) step.extra = extra;
  return step;
}

function parseWatermarkImage(tokens: string[], strict: boolean): CiWatermarkImageStep {
  const where = 'watermark/1';
  const pairs = readPairs(where, tokens);
  const image = pairs.find(([key]) => key === 'image');
  if (!image) bad(where, 'needs an image parameter');
  const step: CiWatermarkImageStep = {
    kind: 'watermark',
    type: 1,
    image: base64Text(where, 'image', image[1]),
  };
  const extra: CiRuleParam[] = [];
  for (const [key, token] of pairs) {
    switch (key) {
      case 'image':
        break;
      case 'gravity':
        step.gravity = token.toLowerCase() as CiGravity;
        break;
      case 'dx':
      case 'dy':
        step[key] = int(where, key, token);
        break;
      case 'blogo':
        step.blogo = int(where, 'blogo', token) as 1 | 2;
        break;
      default:
        extraParam(where, key, token, strict, extra);
    }
  }
  if (extra.length > 0) step.extra = extra;
  return step;
}

function parseWatermarkText(tokens: string[], strict: boolean): CiWatermarkTextStep {
  const where = 'watermark/2';
  const pairs = readPairs(where, tokens);
  const text = pairs.find(([key]) => key === 'text');
  if (!text) bad(where, 'needs a text parameter');
  const step: CiWatermarkTextStep = { kind: 'watermark', type: 2, text: base64Text(where, 'text', text[1]) };
  const extra: CiRuleParam[] = [];
  for (const [key, token] of pairs) {
    switch (key) {
      case 'text':
        break;
      case 'font':
        step.font = base64Text(where, 'font', token);
        break;
      case 'fontsize':
        step.fontSize = int(where, 'fontsize', token);
        break;
      case 'fill':
        step.fill = base64Text(where, 'fill', token);
        break;
      case 'dissolve':
      case 'dx':
      case 'dy':
      case 'degree':
        step[key] = int(where, key, token);
        break;
      case 'gravity':
        step.gravity = token.toLowerCase() as CiGravity;
        break;
      case 'batch':
        step.batch = int(where, 'batch', token) as 0 | 1;
        break;
      default:
        extraParam(where, key, token, strict, extra);
    }
  }
  if (extra.length > 0) step.extra = extra;
  return step;
}

function parseStep(text: string, strict: boolean): CiRuleStep {
  if (text === '') bad('rule', 'empty step (a "|" at an end or two in a row)');
  const tokens = text.split('/');
  tokens.forEach((token, index) => {
    if (token === '') bad('rule', `empty segment at position ${index + 1} (a "/" at an end or two in a row)`);
    if (hasControlChar(token)) bad('rule', `segment ${JSON.stringify(token)} has a control character`);
  });
  const [name, ...rest] = tokens;
  switch (name) {
    case 'imageMogr2':
      return { kind: 'imageMogr2', ops: parseImageMogr2(rest, strict) };
    case 'imageView2':
      return parseImageView2(rest, strict);
    case 'watermark': {
      const [type, ...params] = rest;
      if (type === '1') return parseWatermarkImage(params, strict);
      if (type === '2') return parseWatermarkText(params, strict);
      if (type === undefined || !/^\d+$/.test(type))
        bad('watermark', `type ${JSON.stringify(type ?? '')} is not a number`);
      if (strict) unknown(`watermark type ${type} is not modelled`);
      return { kind: 'unknown', name, raw: text };
    }
    case 'style':
      if (rest.length !== 1)
        bad('style', rest.length === 0 ? 'needs a name' : `name ${JSON.stringify(rest.join('/'))} has a "/"`);
      return { kind: 'style', name: rest[0] };
    default:
      if (strict) unknown(`unknown operation ${JSON.stringify(name)}`);
      if (!OPERATION_NAME.test(name)) bad('rule', `${JSON.stringify(name)} is not an operation name`);
      return { kind: 'unknown', name, raw: text };
  }
}

/**
 * Parses a CI rule string (`imageMogr2/...|watermark/2/...`) into its {@link CiRule} model, validating every
 * value. Throws `CiValidationError` with reason `RULE_EMPTY` (blank text), `RULE_MALFORMED` (a bad token of a
 * known operation) or, under `strict`, `RULE_UNKNOWN_OPERATION`; the message names the step and the bad token.
 * Accepts gravity and formats in any case and base64 with or without padding; {@link serializeRule} writes
 * the canonical form back.
 * @example parseRule('imageMogr2/thumbnail/200x/format/webp')
 * // { steps: [{ kind: 'imageMogr2', ops: [{ op: 'thumbnail', mode: 'width', width: 200 }, { op: 'format', format: 'webp' }] }] }
 */
export function parseRule(text: string, options: ParseRuleOptions = {}): CiRule {
  if (typeof text !== 'string')
    throw new CiValidationError('RULE_MALFORMED', `rule must be a string, got ${typeof text}`);
  if (text.trim() === '') throw new CiValidationError('RULE_EMPTY', 'rule is empty');
  const strict = options.strict ?? false;
  const parts = text.split('|');
  const steps = parts.map((stepText, index) => {
    try {
      const step = parseStep(stepText, strict);
      validateStep(step);
      return step;
    } catch (error) {
      if (!(error instanceof CiValidationError)) throw error;
      const label =
        parts.length > 1
          ? `rule step ${index + 1} ${JSON.stringify(stepText)}`
          : `rule ${JSON.stringify(text)}`;
      throw new CiValidationError(error.reason, `${label}: ${error.message}`, { cause: error });
    }
  });
  return { steps };
}
