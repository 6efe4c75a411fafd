import type {
  CiCropOp,
  CiRadiusOp,
  CiRelativeQualityOp,
  CiSharpenOp,
  CiSwitchOp,
  CiToneOp,
  CiGravity,
  CiImageMogr2Op,
  CiKnownMogrOpName,
  CiOutputFormat,
  CiThumbnailOp,
} from '../rule.types';
import { encodeUrlSafeBase64 } from '../url-safe-base64';
import {
  expectColor,
  expectFormat,
  expectGravity,
  expectInt,
  expectOneOf,
  expectOptionalBoolean,
  expectOptionalInt,
  malformed,
  readBase64,
  readInt,
  show,
} from './rule-checks';

/** The imageMogr2 operation named `K`. */
export type MogrOpOf<K extends CiImageMogr2Op['op']> = CiImageMogr2Op extends infer T
  ? T extends { op: infer O }
    ? [K] extends [O]
      ? T
      : never
    : never
  : never;

/** Reads the tokens that follow an operation name inside `imageMogr2/...`. */
export interface MogrTokenReader {
  /** The next token; `RULE_MALFORMED` "needs a value" at the end. */
  value(where: string): string;
  /** The next token, which must match `pattern` (`form` describes it in the error). */
  match(where: string, pattern: RegExp, form: string): RegExpExecArray;
  /** The next token without consuming it. */
  peek(): string | undefined;
  /** Consumes the next token. */
  skip(): void;
}

/**
 * Everything about one imageMogr2 operation, in one place: how its tokens read, how it writes back (in the
 * documented parameter order), and what values it allows. The parser, serializer and validator are driven by
 * {@link MOGR_OPERATIONS}; the emulator keys its executors by the same names.
 */
export interface MogrOperation<K extends CiKnownMogrOpName> {
  /** Reads the operation's tokens (its name is already consumed). */
  parse(read: MogrTokenReader, name: K, where: string): MogrOpOf<K>;
  /** The tokens, name first, in the documented order. */
  serialize(op: MogrOpOf<K>): string[];
  /** Throws `RULE_MALFORMED` for a value out of range. */
  validate(op: MogrOpOf<K>, where: string): void;
  /** Names read as this operation's own parameters when they follow it (`crop/.../gravity/...`). */
  ownParams?: readonly string[];
}

/** One written form of `thumbnail/...`: its pattern, how it reads and how it writes. */
interface ThumbnailForm {
  pattern: RegExp;
  read(m: RegExpExecArray): CiThumbnailOp;
  write(op: CiThumbnailOp): string | undefined;
}

const box = (
  mode: 'fit' | 'cover' | 'force' | 'shrink' | 'enlarge',
  pattern: RegExp,
  write: (w: number, h: number) => string,
): ThumbnailForm => ({
  pattern,
  read: (m) => ({ op: 'thumbnail', mode, width: Number(m[1]), height: Number(m[2]) }),
  write: (op) => (op.mode === mode ? write(op.width, op.height) : undefined),
});

/** Every thumbnail form, in the order the parser tries them. */
const THUMBNAIL_FORMS: readonly ThumbnailForm[] = [
  {
    pattern: /^!(\d+)p$/,
    read: (m) => ({ op: 'thumbnail', mode: 'scale', scale: Number(m[1]) }),
    write: (op) => (op.mode === 'scale' ? `!${op.scale}p` : undefined),
  },
  {
    pattern: /^!(\d+)px$/,
    read: (m) => ({ op: 'thumbnail', mode: 'widthScale', scale: Number(m[1]) }),
    write: (op) => (op.mode === 'widthScale' ? `!${op.scale}px` : undefined),
  },
  {
    pattern: /^!x(\d+)p$/,
    read: (m) => ({ op: 'thumbnail', mode: 'heightScale', scale: Number(m[1]) }),
    write: (op) => (op.mode === 'heightScale' ? `!x${op.scale}p` : undefined),
  },
  {
    pattern: /^(\d+)x$/,
    read: (m) => ({ op: 'thumbnail', mode: 'width', width: Number(m[1]) }),
    write: (op) => (op.mode === 'width' ? `${op.width}x` : undefined),
  },
  {
    pattern: /^x(\d+)$/,
    read: (m) => ({ op: 'thumbnail', mode: 'height', height: Number(m[1]) }),
    write: (op) => (op.mode === 'height' ? `x${op.height}` : undefined),
  },
  box('fit', /^(\d+)x(\d+)$/, (w, h) => `${w}x${h}`),
  box('cover', /^!(\d+)x(\d+)r$/, (w, h) => `!${w}x${h}r`),
  box('force', /^(\d+)x(\d+)!$/, (w, h) => `${w}x${h}!`),
  box('shrink', /^(\d+)x(\d+)>$/, (w, h) => `${w}x${h}>`),
  box('enlarge', /^(\d+)x(\d+)<$/, (w, h) => `${w}x${h}<`),
  {
    pattern: /^(\d+)@$/,
    read: (m) => ({ op: 'thumbnail', mode: 'area', area: Number(m[1]) }),
    write: (op) => (op.mode === 'area' ? `${op.area}@` : undefined),
  },
];

const thumbnail: MogrOperation<'thumbnail'> = {
  parse(read, _name, where) {
    const token = read.value(where);
    for (const form of THUMBNAIL_FORMS) {
      const match = form.pattern.exec(token);
      if (match) return form.read(match);
    }
    return malformed(
      'imageMogr2/thumbnail',
      `${JSON.stringify(token)} is not a thumbnail size (!<s>p, !<s>px, !x<s>p, <W>x, x<H>, <W>x<H>, !<W>x<H>r, ` +
        '<W>x<H>!, <W>x<H>>, <W>x<H><, <Area>@)',
    );
  },
  serialize(op) {
    for (const form of THUMBNAIL_FORMS) {
      const written = form.write(op);
      if (written !== undefined) return ['thumbnail', written];
    }
    return malformed(
      'imageMogr2/thumbnail',
      `mode ${show((op as { mode: unknown }).mode)} is not a thumbnail mode`,
    );
  },
  validate(op, where) {
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
  },
};

const CROP_PARAMS = ['gravity', 'dx', 'dy'] as const;

const crop: MogrOperation<'crop'> = {
  ownParams: CROP_PARAMS,
  parse(read, _name, where) {
    const [, w, h] = read.match(where, /^(\d*)x(\d*)$/, '<W>x, x<H> or <W>x<H>');
    if (!w && !h) malformed(where, '"x" needs a width, a height or both');
    const op: CiCropOp = { op: 'crop' };
    if (w) op.width = readInt(where, 'width', w);
    if (h) op.height = readInt(where, 'height', h);
    for (
      let next = read.peek();
      next !== undefined && (CROP_PARAMS as readonly string[]).includes(next);
      next = read.peek()
    ) {
      read.skip();
      const key = next as (typeof CROP_PARAMS)[number];
      if (op[key] !== undefined) malformed(where, `${key} is given twice`);
      const token = read.value(`${where}/${key}`);
      if (key === 'gravity') op.gravity = token.toLowerCase() as CiGravity;
      else op[key] = readInt(where, key, token);
    }
    return op;
  },
  serialize(op) {
    const out = ['crop', `${op.width ?? ''}x${op.height ?? ''}`];
    if (op.gravity !== undefined) out.push('gravity', op.gravity);
    if (op.dx !== undefined) out.push('dx', String(op.dx));
    if (op.dy !== undefined) out.push('dy', String(op.dy));
    return out;
  },
  validate(op, where) {
    if (op.width === undefined && op.height === undefined)
      malformed(where, 'needs a width, a height or both');
    expectOptionalInt(where, 'width', op.width, 1);
    expectOptionalInt(where, 'height', op.height, 1);
    expectGravity(where, op.gravity);
    expectOptionalInt(where, 'dx', op.dx, 0);
    expectOptionalInt(where, 'dy', op.dy, 0);
  },
};

const cut: MogrOperation<'cut'> = {
  parse(read, _name, where) {
    const m = read.match(where, /^(\d+)x(\d+)x(\d+)x(\d+)$/, '<w>x<h>x<dx>x<dy>');
    return { op: 'cut', width: Number(m[1]), height: Number(m[2]), dx: Number(m[3]), dy: Number(m[4]) };
  },
  serialize: (op) => ['cut', `${op.width}x${op.height}x${op.dx}x${op.dy}`],
  validate(op, where) {
    expectInt(where, 'width', op.width, 1);
    expectInt(where, 'height', op.height, 1);
    expectInt(where, 'dx', op.dx, 0);
    expectInt(where, 'dy', op.dy, 0);
  },
};

const radius = <K extends 'iradius' | 'rradius'>(): MogrOperation<K> => ({
  parse: (read, name, where) =>
    ({ op: name, radius: readInt(where, 'radius', read.value(where)) }) as MogrOpOf<K>,
  serialize: (op) => [(op as CiRadiusOp).op, String((op as CiRadiusOp).radius)],
  validate: (op, where) => expectInt(where, 'radius', (op as CiRadiusOp).radius, 1),
});

const scrop: MogrOperation<'scrop'> = {
  parse(read, _name, where) {
    const m = read.match(where, /^(\d+)x(\d+)$/, '<W>x<H>');
    return { op: 'scrop', width: Number(m[1]), height: Number(m[2]) };
  },
  serialize: (op) => ['scrop', `${op.width}x${op.height}`],
  validate(op, where) {
    expectInt(where, 'width', op.width, 1);
    expectInt(where, 'height', op.height, 1);
  },
};

/** An operation without a value (`strip`), or with one fixed value that the model does not keep (`ignore-error/1`). */
const flag = <K extends 'auto-orient' | 'strip' | 'ignore-error'>(fixed?: string): MogrOperation<K> => ({
  parse(read, name, where) {
    if (fixed !== undefined) {
      const token = read.value(where);
      if (token !== fixed) malformed(where, `${JSON.stringify(token)} is not ${fixed}`);
    }
    return { op: name } as MogrOpOf<K>;
  },
  serialize: (op) => {
    const name = (op as unknown as { op: K }).op;
    return fixed === undefined ? [name] : [name, fixed];
  },
  validate: () => undefined,
});

/** `<name>/<integer>` with the integer in `min..max` (`max` optional). */
const integer = <K extends 'rquality' | 'lquality' | 'sharpen' | 'bright' | 'contrast'>(
  min: number,
  max?: number,
): MogrOperation<K> => ({
  parse: (read, name, where) => ({ op: name, value: readInt(where, '', read.value(where)) }) as MogrOpOf<K>,
  serialize: (op) => [
    (op as unknown as { op: K }).op,
    String((op as CiToneOp | CiSharpenOp | CiRelativeQualityOp).value),
  ],
  validate: (op, where) => expectInt(where, '', (op as { value: unknown }).value, min, max),
});

const onOff = <K extends 'grayscale' | 'interlace'>(): MogrOperation<K> => ({
  parse: (read, name, where) => ({ op: name, value: readInt(where, '', read.value(where)) }) as MogrOpOf<K>,
  serialize: (op) => [(op as CiSwitchOp).op, String((op as CiSwitchOp).value)],
  validate: (op, where) => expectOneOf(where, 'value', (op as CiSwitchOp).value, [0, 1]),
});

const rotate: MogrOperation<'rotate'> = {
  parse: (read, _name, where) => ({ op: 'rotate', degrees: readInt(where, 'degrees', read.value(where)) }),
  serialize: (op) => ['rotate', String(op.degrees)],
  validate: (op, where) => expectInt(where, 'degrees', op.degrees, 0, 360),
};

const flip: MogrOperation<'flip'> = {
  parse: (read, _name, where) => ({ op: 'flip', direction: read.value(where) as 'vertical' | 'horizontal' }),
  serialize: (op) => ['flip', op.direction],
  validate: (op, where) => expectOneOf(where, 'direction', op.direction, ['vertical', 'horizontal']),
};

const format: MogrOperation<'format'> = {
  parse: (read, _name, where) => ({
    op: 'format',
    format: read.value(where).toLowerCase() as CiOutputFormat,
  }),
  serialize: (op) => ['format', op.format],
  validate: (op, where) => expectFormat(where, op.format),
};

const quality: MogrOperation<'quality'> = {
  parse(read, _name, where) {
    const m = read.match(where, /^(-?\d+)(!?)$/, 'an integer with an optional "!"');
    return m[2]
      ? { op: 'quality', value: Number(m[1]), force: true }
      : { op: 'quality', value: Number(m[1]) };
  },
  serialize: (op) => ['quality', `${op.value}${op.force ? '!' : ''}`],
  validate(op, where) {
    expectInt(where, '', op.value, 0, 100);
    expectOptionalBoolean(where, 'force', op.force);
  },
};

const blur: MogrOperation<'blur'> = {
  parse(read, _name, where) {
    const m = read.match(where, /^(\d+)x(\d+(?:\.\d+)?)$/, '<radius>x<sigma>');
    return { op: 'blur', radius: Number(m[1]), sigma: Number(m[2]) };
  },
  serialize: (op) => ['blur', `${op.radius}x${op.sigma}`],
  validate(op, where) {
    expectInt(where, 'radius', op.radius, 1, 50);
    // Exponent forms (1e-7) would not read back, so sigma must print as plain decimals.
    if (typeof op.sigma !== 'number' || op.sigma <= 0 || !/^\d+(\.\d+)?$/.test(String(op.sigma))) {
      malformed(where, `sigma ${show(op.sigma)} is not a decimal number greater than 0`);
    }
  },
};

const sizeLimit: MogrOperation<'size-limit'> = {
  parse(read, _name, where) {
    const m = read.match(where, /^(\d+)([km])(!?)$/, '<n>k or <n>m with an optional "!"');
    const op = { op: 'size-limit', value: Number(m[1]), unit: m[2] as 'k' | 'm' } as const;
    return m[3] ? { ...op, force: true } : op;
  },
  serialize: (op) => ['size-limit', `${op.value}${op.unit}${op.force ? '!' : ''}`],
  validate(op, where) {
    expectInt(where, 'size', op.value, 1);
    expectOneOf(where, 'unit', op.unit, ['k', 'm']);
    expectOptionalBoolean(where, 'force', op.force);
  },
};

const pad: MogrOperation<'pad'> = {
  ownParams: ['color'],
  parse(read, _name, where) {
    const token = read.value(where);
    if (token !== '1') malformed(where, `${JSON.stringify(token)} is not 1`);
    if (read.peek() !== 'color') return { op: 'pad' };
    read.skip();
    return { op: 'pad', color: readBase64(where, 'color', read.value(`${where}/color`)) };
  },
  serialize: (op) =>
    op.color === undefined ? ['pad', '1'] : ['pad', '1', 'color', encodeUrlSafeBase64(op.color)],
  validate: (op, where) => expectColor(where, 'color', op.color),
};

const cgif: MogrOperation<'cgif'> = {
  parse: (read, _name, where) => ({ op: 'cgif', frames: readInt(where, 'frames', read.value(where)) }),
  serialize: (op) => ['cgif', String(op.frames)],
  validate: (op, where) => expectInt(where, 'frames', op.frames, 1, 100),
};

const frame: MogrOperation<'frame'> = {
  parse: (read, _name, where) => ({ op: 'frame', frames: readInt(where, 'frame', read.value(where)) }),
  serialize: (op) => ['frame', String(op.frames)],
  validate: (op, where) => expectInt(where, 'frame', op.frames, 1),
};

/**
 * The descriptor of every imageMogr2 operation this package knows, keyed by name. The mapped type makes a name
 * added to {@link CiKnownMogrOpName} without a descriptor a compile error, and the key order is the order of
 * {@link CI_MOGR_OPERATION_NAMES}.
 */
export const MOGR_OPERATIONS: { readonly [K in CiKnownMogrOpName]: MogrOperation<K> } = {
  thumbnail,
  crop,
  cut,
  iradius: radius<'iradius'>(),
  rradius: radius<'rradius'>(),
  scrop,
  rotate,
  'auto-orient': flag<'auto-orient'>(),
  flip,
  format,
  quality,
  rquality: integer<'rquality'>(0, 100),
  lquality: integer<'lquality'>(0, 100),
  blur,
  sharpen: integer<'sharpen'>(10, 300),
  bright: integer<'bright'>(-100, 100),
  contrast: integer<'contrast'>(-100, 100),
  grayscale: onOff<'grayscale'>(),
  strip: flag<'strip'>(),
  interlace: onOff<'interlace'>(),
  'size-limit': sizeLimit,
  'ignore-error': flag<'ignore-error'>('1'),
  pad,
  cgif,
  frame,
};

/**
 * Every imageMogr2 operation name this model knows, as written in a rule. `gravity`, `dx`, `dy` (after `crop`) and
 * `color` (after `pad`) are parameters of those operations, not operations of their own.
 */
export const CI_MOGR_OPERATION_NAMES = Object.keys(MOGR_OPERATIONS) as readonly CiKnownMogrOpName[];

/** The descriptor of a known operation name, or `undefined`. */
export function mogrOperation(name: string): MogrOperation<CiKnownMogrOpName> | undefined {
  return Object.prototype.hasOwnProperty.call(MOGR_OPERATIONS, name)
    ? (MOGR_OPERATIONS[name as CiKnownMogrOpName] as unknown as MogrOperation<CiKnownMogrOpName>)
    : undefined;
}
