import fc from 'fast-check';
import { ciProcess, imageSlim } from './ci-process.builder';
import { imageMogr2, type ImageMogr2Builder } from './image-mogr2.builder';
import { imageView2 } from './image-view2.builder';
import { pipe } from './pipe.builder';
import type { CiRuleBuilder } from './rule-input';
import { parseRule } from './rule.parser';
import { serializeRule } from './rule.serializer';
import { CI_MOGR_OPERATION_NAMES } from './operations/mogr-operations';
import {
  CI_GRAVITIES,
  CI_OUTPUT_FORMATS,
  type CiImageMogr2Op,
  type CiRule,
  type CiRuleStep,
} from './rule.types';
import { IMAGE_VIEW2_KEYS, WATERMARK_IMAGE_KEYS, WATERMARK_TEXT_KEYS } from './rule.validator';
import { style } from './style.builder';
import { isRuleToken } from './text-checks';
import { watermarkImage, watermarkText } from './watermark.builder';

const RESERVED = new Set<string>([...CI_MOGR_OPERATION_NAMES, 'gravity', 'dx', 'dy', 'color']);
const STEP_NAMES = new Set(['imageMogr2', 'imageView2', 'watermark', 'style', 'imageSlim', 'QRcode']);

const pos = fc.integer({ min: 1, max: 50_000 });
const nonNeg = fc.integer({ min: 0, max: 5_000 });
const percent = fc.integer({ min: 0, max: 100 });
const gravity = fc.constantFrom(...CI_GRAVITIES);
const format = fc.constantFrom(...CI_OUTPUT_FORMATS);
const color = fc.stringMatching(/^#[0-9A-Fa-f]{6}$/);
const sigma = fc.oneof(
  fc.integer({ min: 1, max: 100 }),
  fc.integer({ min: 1, max: 999 }).map((n) => n / 10),
);
const text = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 });
const name = fc.stringMatching(/^[a-z][a-zA-Z0-9_-]{0,9}$/);
const unknownName = name.filter((n) => !RESERVED.has(n));
const token = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 8 })
  .filter((t) => isRuleToken(t) && !RESERVED.has(t));
const httpUrl = fc.webUrl({ validSchemes: ['http', 'https'] });

const thumbnail: fc.Arbitrary<CiImageMogr2Op> = fc.oneof(
  fc.record({
    op: fc.constant('thumbnail'),
    mode: fc.constantFrom('scale', 'widthScale', 'heightScale'),
    scale: pos,
  }),
  fc.record({ op: fc.constant('thumbnail'), mode: fc.constant('width'), width: pos }),
  fc.record({ op: fc.constant('thumbnail'), mode: fc.constant('height'), height: pos }),
  fc.record({
    op: fc.constant('thumbnail'),
    mode: fc.constantFrom('fit', 'cover', 'force', 'shrink', 'enlarge'),
    width: pos,
    height: pos,
  }),
  fc.record({ op: fc.constant('thumbnail'), mode: fc.constant('area'), area: pos }),
) as fc.Arbitrary<CiImageMogr2Op>;

const knownOp: fc.Arbitrary<CiImageMogr2Op> = fc.oneof(
  thumbnail,
  fc
    .record(
      { op: fc.constant('crop' as const), width: pos, height: pos, gravity, dx: nonNeg, dy: nonNeg },
      { requiredKeys: ['op'] },
    )
    .filter((op) => op.width !== undefined || op.height !== undefined),
  fc.record({ op: fc.constant('cut' as const), width: pos, height: pos, dx: nonNeg, dy: nonNeg }),
  fc.record({ op: fc.constantFrom('iradius' as const, 'rradius' as const), radius: pos }),
  fc.record({ op: fc.constant('scrop' as const), width: pos, height: pos }),
  fc.record({ op: fc.constant('rotate' as const), degrees: fc.integer({ min: 0, max: 360 }) }),
  fc.record({ op: fc.constantFrom('auto-orient' as const, 'strip' as const, 'ignore-error' as const) }),
  fc.record({
    op: fc.constant('flip' as const),
    direction: fc.constantFrom('vertical' as const, 'horizontal' as const),
  }),
  fc.record({ op: fc.constant('format' as const), format }),
  fc.record(
    { op: fc.constant('quality' as const), value: percent, force: fc.constant(true) },
    { requiredKeys: ['op', 'value'] },
  ),
  fc.record({ op: fc.constantFrom('rquality' as const, 'lquality' as const), value: percent }),
  fc.record({ op: fc.constant('blur' as const), radius: fc.integer({ min: 1, max: 50 }), sigma }),
  fc.record({ op: fc.constant('sharpen' as const), value: fc.integer({ min: 10, max: 300 }) }),
  fc.record({
    op: fc.constantFrom('bright' as const, 'contrast' as const),
    value: fc.integer({ min: -100, max: 100 }),
  }),
  fc.record({
    op: fc.constantFrom('grayscale' as const, 'interlace' as const),
    value: fc.constantFrom(0 as const, 1 as const),
  }),
  fc.record(
    {
      op: fc.constant('size-limit' as const),
      value: pos,
      unit: fc.constantFrom('k' as const, 'm' as const),
      force: fc.constant(true),
    },
    { requiredKeys: ['op', 'value', 'unit'] },
  ),
  fc.record({ op: fc.constant('pad' as const), color }, { requiredKeys: ['op'] }),
  fc.record({ op: fc.constant('cgif' as const), frames: fc.integer({ min: 1, max: 100 }) }),
  fc.record({ op: fc.constant('frame' as const), frames: pos }),
);

const unknownOp: fc.Arbitrary<CiImageMogr2Op> = fc.record({
  op: fc.constant('unknown' as const),
  name: unknownName,
  args: fc.array(token, { maxLength: 3 }),
});

// An unknown operation reads up to the next known one, so the model never holds two in a row.
const mogrOps = fc
  .array(fc.oneof({ weight: 6, arbitrary: knownOp }, { weight: 1, arbitrary: unknownOp }), {
    minLength: 1,
    maxLength: 6,
  })
  .filter((ops) => ops.every((op, i) => !(op.op === 'unknown' && ops[i - 1]?.op === 'unknown')));

const extra = (known: readonly string[]) =>
  fc.uniqueArray(fc.record({ name: name.filter((n) => !known.includes(n)), value: token }), {
    selector: (p) => p.name,
    maxLength: 2,
  });

const imageView2Step = fc
  .record(
    {
      kind: fc.constant('imageView2' as const),
      mode: fc.constantFrom(1 as const, 2 as const, 3 as const, 4 as const, 5 as const),
      width: pos,
      height: pos,
      format,
      quality: percent,
      forceQuality: fc.constant(true),
      rquality: percent,
      lquality: percent,
      ignoreError: fc.constant(true as const),
      extra: extra([...IMAGE_VIEW2_KEYS]).filter((e) => e.length > 0),
    },
    { requiredKeys: ['kind'] },
  )
  .map((step) => {
    const out = { ...step };
    if (out.mode === undefined) {
      delete out.width;
      delete out.height;
    } else if (out.width === undefined && out.height === undefined) {
      out.width = 100;
    }
    if (out.quality === undefined) delete out.forceQuality;
    return out;
  })
  .filter((s) => Object.keys(s).length > 1);

const watermarkImageStep = fc
  .record(
    {
      kind: fc.constant('watermark' as const),
      type: fc.constant(1 as const),
      image: httpUrl,
      gravity,
      dx: nonNeg,
      dy: nonNeg,
      blogo: fc.constantFrom(1 as const, 2 as const),
      scatype: fc.constantFrom(1 as const, 2 as const, 3 as const),
      spcent: fc.integer({ min: 1, max: 1000 }),
      dissolve: fc.integer({ min: 1, max: 100 }),
      extra: extra([...WATERMARK_IMAGE_KEYS]).filter((e) => e.length > 0),
    },
    { requiredKeys: ['kind', 'type', 'image'] },
  )
  .map((step) => {
    const out = { ...step };
    if (out.scatype === undefined) delete out.spcent;
    return out;
  });

const watermarkTextStep = fc.record(
  {
    kind: fc.constant('watermark' as const),
    type: fc.constant(2 as const),
    text,
    font: text,
    fontSize: pos,
    fill: color,
    dissolve: fc.integer({ min: 1, max: 100 }),
    gravity,
    dx: nonNeg,
    dy: nonNeg,
    batch: fc.constantFrom(0 as const, 1 as const),
    degree: fc.integer({ min: 0, max: 360 }),
    shadow: fc.integer({ min: 0, max: 100 }),
    extra: extra([...WATERMARK_TEXT_KEYS]).filter((e) => e.length > 0),
  },
  { requiredKeys: ['kind', 'type', 'text'] },
);

const styleStep = fc.record({
  kind: fc.constant('style' as const),
  name: fc
    .string({ unit: 'grapheme', minLength: 1, maxLength: 12 })
    .filter((n) => isRuleToken(n) && !/\s/.test(n)),
});

const unknownStep = fc.oneof(
  fc
    .tuple(
      name.filter((n) => !STEP_NAMES.has(n)),
      fc.array(token, { maxLength: 3 }),
    )
    .map(([n, args]) => ({ kind: 'unknown' as const, name: n, raw: [n, ...args].join('/') })),
  fc.tuple(fc.integer({ min: 5, max: 9 }), fc.array(token, { maxLength: 3 })).map(([type, args]) => ({
    kind: 'unknown' as const,
    name: 'watermark',
    raw: ['watermark', type, ...args].join('/'),
  })),
);

const ciProcessStep = fc.record({
  kind: fc.constant('ciProcess' as const),
  process: name,
  params: fc.array(fc.record({ name, value: fc.stringMatching(/^[A-Za-z0-9_.x-]{1,8}$/) }), { maxLength: 3 }),
});

const blindStep = fc
  .record(
    {
      type: fc.constantFrom(3 as const, 4 as const),
      blindType: fc.constantFrom(1 as const, 2 as const, 3 as const),
      image: httpUrl,
      text,
      level: fc.constantFrom(1 as const, 2 as const, 3 as const),
      extra: extra(['type', 'image', 'text', 'level']).filter((e) => e.length > 0),
    },
    { requiredKeys: ['type', 'blindType', 'image', 'text'] },
  )
  .map((s) => {
    const out: Record<string, unknown> = { kind: 'watermark', ...s };
    if (s.type === 4) delete out.level;
    return out as unknown as CiRuleStep;
  });

const qrStep = fc.record(
  { kind: fc.constant('QRcode' as const), cover: fc.constantFrom(0 as const, 1 as const) },
  { requiredKeys: ['kind'] },
);

const step: fc.Arbitrary<CiRuleStep> = fc.oneof(
  { weight: 1, arbitrary: blindStep },
  { weight: 1, arbitrary: qrStep },
  { weight: 1, arbitrary: fc.constant({ kind: 'imageSlim' as const }) },
  { weight: 1, arbitrary: ciProcessStep },
  { weight: 4, arbitrary: mogrOps.map((ops) => ({ kind: 'imageMogr2' as const, ops })) },
  { weight: 2, arbitrary: imageView2Step },
  { weight: 1, arbitrary: watermarkImageStep },
  { weight: 2, arbitrary: watermarkTextStep },
  { weight: 1, arbitrary: styleStep },
  { weight: 1, arbitrary: unknownStep },
);

// Through JSON: fast-check may build null-prototype records, and the model must be plain JSON anyway.
const rule: fc.Arbitrary<CiRule> = fc
  .array(step, { minLength: 1, maxLength: 4 })
  .map((steps) => JSON.parse(JSON.stringify({ steps })) as CiRule);

/** Builder calls, each valid on its own. */
const mogrCall: fc.Arbitrary<(b: ImageMogr2Builder) => ImageMogr2Builder> = fc.oneof(
  pos.map((width) => (b: ImageMogr2Builder) => b.thumbnail({ width })),
  pos.map((height) => (b: ImageMogr2Builder) => b.thumbnail({ height })),
  fc
    .tuple(
      pos,
      pos,
      fc.constantFrom(
        'fit' as const,
        'cover' as const,
        'force' as const,
        'shrink' as const,
        'enlarge' as const,
      ),
    )
    .map(
      ([width, height, mode]) =>
        (b: ImageMogr2Builder) =>
          b.thumbnail({ width, height, mode }),
    ),
  pos.map((scale) => (b: ImageMogr2Builder) => b.thumbnail({ scale })),
  pos.map((widthScale) => (b: ImageMogr2Builder) => b.thumbnail({ widthScale })),
  pos.map((heightScale) => (b: ImageMogr2Builder) => b.thumbnail({ heightScale })),
  pos.map((area) => (b: ImageMogr2Builder) => b.thumbnail({ area })),
  fc
    .record({ width: pos, height: pos, gravity, dx: nonNeg, dy: nonNeg }, { requiredKeys: ['width'] })
    .map((options) => (b: ImageMogr2Builder) => b.crop(options)),
  fc
    .record({ width: pos, height: pos, dx: nonNeg, dy: nonNeg })
    .map((o) => (b: ImageMogr2Builder) => b.cut(o)),
  pos.map((r) => (b: ImageMogr2Builder) => b.iradius(r)),
  pos.map((r) => (b: ImageMogr2Builder) => b.rradius(r)),
  fc.record({ width: pos, height: pos }).map((o) => (b: ImageMogr2Builder) => b.scrop(o)),
  fc.integer({ min: 0, max: 360 }).map((d) => (b: ImageMogr2Builder) => b.rotate(d)),
  fc.constant((b: ImageMogr2Builder) => b.autoOrient()),
  fc.constantFrom('vertical' as const, 'horizontal' as const).map((d) => (b: ImageMogr2Builder) => b.flip(d)),
  format.map((f) => (b: ImageMogr2Builder) => b.format(f)),
  fc.tuple(percent, fc.boolean()).map(
    ([q, force]) =>
      (b: ImageMogr2Builder) =>
        b.quality(q, { force }),
  ),
  percent.map((q) => (b: ImageMogr2Builder) => b.rquality(q)),
  percent.map((q) => (b: ImageMogr2Builder) => b.lquality(q)),
  fc.tuple(fc.integer({ min: 1, max: 50 }), sigma).map(
    ([radius, s]) =>
      (b: ImageMogr2Builder) =>
        b.blur({ radius, sigma: s }),
  ),
  fc.integer({ min: 10, max: 300 }).map((v) => (b: ImageMogr2Builder) => b.sharpen(v)),
  fc.integer({ min: -100, max: 100 }).map((v) => (b: ImageMogr2Builder) => b.bright(v)),
  fc.integer({ min: -100, max: 100 }).map((v) => (b: ImageMogr2Builder) => b.contrast(v)),
  fc.boolean().map((on) => (b: ImageMogr2Builder) => b.grayscale(on)),
  fc.constant((b: ImageMogr2Builder) => b.strip()),
  fc.boolean().map((on) => (b: ImageMogr2Builder) => b.interlace(on)),
  fc.tuple(pos, fc.constantFrom('k' as const, 'm' as const), fc.boolean()).map(
    ([value, unit, force]) =>
      (b: ImageMogr2Builder) =>
        b.sizeLimit({ value, unit, force }),
  ),
  fc.constant((b: ImageMogr2Builder) => b.ignoreError()),
  fc
    .option(color, { nil: undefined })
    .map((c) => (b: ImageMogr2Builder) => b.pad(c === undefined ? {} : { color: c })),
  fc.integer({ min: 1, max: 100 }).map((n) => (b: ImageMogr2Builder) => b.cgif(n)),
  pos.map((n) => (b: ImageMogr2Builder) => b.frame(n)),
);

const builder: fc.Arbitrary<CiRuleBuilder> = fc.oneof(
  fc
    .array(mogrCall, { minLength: 1, maxLength: 6 })
    .map((calls) => calls.reduce((b, call) => call(b), imageMogr2())),
  fc
    .record(
      {
        mode: fc.constantFrom(1 as const, 2 as const, 3 as const, 4 as const, 5 as const),
        width: pos,
        height: pos,
        format,
        quality: percent,
        forceQuality: fc.boolean(),
        rquality: percent,
        lquality: percent,
        ignoreError: fc.boolean(),
      },
      { requiredKeys: ['mode', 'width'] },
    )
    .map((o) => imageView2(o.quality === undefined ? { ...o, forceQuality: undefined } : o)),
  fc
    .record(
      {
        url: httpUrl,
        gravity,
        dx: nonNeg,
        dy: nonNeg,
        blogo: fc.constantFrom(1 as const, 2 as const),
        scatype: fc.constantFrom(1 as const, 2 as const, 3 as const),
        spcent: fc.integer({ min: 1, max: 1000 }),
        dissolve: fc.integer({ min: 1, max: 100 }),
      },
      { requiredKeys: ['url'] },
    )
    .map((o) => watermarkImage(o.scatype === undefined ? { ...o, spcent: undefined } : o)),
  fc
    .record(
      {
        text,
        font: text,
        fontSize: pos,
        fill: color,
        dissolve: fc.integer({ min: 1, max: 100 }),
        gravity,
        dx: nonNeg,
        dy: nonNeg,
        batch: fc.boolean(),
        degree: fc.integer({ min: 0, max: 360 }),
        shadow: fc.integer({ min: 0, max: 100 }),
      },
      { requiredKeys: ['text'] },
    )
    .map((o) => watermarkText(o)),
  styleStep.map((s) => style(s.name)),
  fc.constant(null).map(() => imageSlim()),
  ciProcessStep.map((s) => ciProcess(s.process, Object.fromEntries(s.params.map((p) => [p.name, p.value])))),
);

/** Rule-like text in any case and order, most of it not canonical and much of it invalid. */
const vocabulary = [
  'imageMogr2',
  'imageView2',
  'watermark',
  'style',
  'thumbnail',
  'crop',
  'gravity',
  'Center',
  'SOUTHeast',
  'dx',
  'dy',
  'format',
  'PNG',
  'webp',
  'quality',
  '80!',
  '080',
  '1',
  '2',
  '0',
  '200x',
  'x100',
  '!50p',
  '10x10>',
  'pad',
  'color',
  'I0ZGRkZGRg==',
  'I0ZGRkZGRg',
  'text',
  'aGk=',
  'aGk',
  'image',
  'aHR0cDovL2EuYi9j',
  'w',
  'h',
  'q',
  'minsize',
  'strip',
  'blur',
  '3x1.5',
  'ignore-error',
  'size-limit',
  '5k!',
  'rotate',
  '90',
  'shadow',
  'imageInfo',
];
const loose = fc
  .array(fc.array(fc.constantFrom(...vocabulary), { minLength: 1, maxLength: 8 }), {
    minLength: 1,
    maxLength: 3,
  })
  .map((steps) => steps.map((tokens) => tokens.join('/')).join('|'));

describe('rule grammar round trip', () => {
  it('model -> string -> model gives the same model, and string -> model -> string the same string', () => {
    fc.assert(
      fc.property(rule, (model) => {
        const text = serializeRule(model);
        const parsed = parseRule(text);
        expect(parsed).toStrictEqual(model);
        expect(serializeRule(parsed)).toBe(text);
      }),
      { numRuns: 500 },
    );
  });

  it('builder -> string -> parse gives the builder model, and serializes back to the same string', () => {
    fc.assert(
      fc.property(fc.array(builder, { minLength: 1, maxLength: 3 }), (builders) => {
        const built = builders.length === 1 ? builders[0] : pipe(...builders);
        const text = built.toString();
        expect(text).toBe(serializeRule(built.toRule()));
        expect(parseRule(text)).toStrictEqual(built.toRule());
        expect(serializeRule(parseRule(text))).toBe(text);
        // Everything a builder makes is in the model, so strict parsing accepts it too.
        expect(parseRule(text, { strict: true })).toStrictEqual(built.toRule());
      }),
      { numRuns: 500 },
    );
  });

  it('parsing is a fixed point for any text it accepts', () => {
    let accepted = 0;
    fc.assert(
      fc.property(loose, (text) => {
        let parsed: CiRule;
        try {
          parsed = parseRule(text);
        } catch {
          return;
        }
        const canonical = serializeRule(parsed);
        expect(parseRule(canonical)).toStrictEqual(parsed);
        expect(serializeRule(parseRule(canonical))).toBe(canonical);
        accepted++;
      }),
      { numRuns: 2000 },
    );
    // The property means little if almost nothing parses.
    expect(accepted).toBeGreaterThan(50);
  });
});
