import type {
  CiImageMogr2Step,
  CiKnownMogrOpName,
  CiStepKey,
  CiStepOf,
  MogrOpOf,
} from '../../lib/core/rules';
import { clipRect, cropRect, imageView2Plan, thumbnailBox, thumbnailSize, type Size } from './geometry';
import type { PixelPipeline } from './pixel-pipeline';
import { CiProcessingError } from './processing.error';
import type { ProcessingLimits } from './processing-limits';
import type { ExecuteRuleContext, RulePlan } from './rule.types';
import { imageWatermarkOverlays, textWatermarkOverlays } from './watermark';

/** What an executor works on while a rule runs. */
export interface RunState {
  pipeline: PixelPipeline;
  limits: ProcessingLimits;
  ctx: ExecuteRuleContext;
  /** The output can hold transparency (not JPEG or BMP). */
  alphaOutput: boolean;
}

type AtLeastOne<T> = { [K in keyof T]: Required<Pick<T, K>> & Partial<Omit<T, K>> }[keyof T];

/**
 * How the emulator executes one imageMogr2 operation: `plan` gathers output settings before any pixel is decoded
 * (format, quality, strip, ...), `run` does the pixel work in rule order. At least one of the two.
 */
export type MogrExecutor<K extends string> = AtLeastOne<{
  plan: (op: K extends CiKnownMogrOpName ? MogrOpOf<K> : never, plan: RulePlan, label: string) => void;
  run: (
    op: K extends CiKnownMogrOpName ? MogrOpOf<K> : never,
    state: RunState,
    where: string,
    step: CiImageMogr2Step,
  ) => Promise<void>;
}>;

/** One executor per operation name: a name without an executor does not compile. */
export type MogrExecutorMap<N extends string> = { readonly [K in N]: MogrExecutor<K> };

/** The steps the engine executes itself (`style` is expanded and `unknown` refused before). */
export type ExecutableStepKey = Exclude<CiStepKey, 'style' | 'unknown'>;

/** How the emulator executes one kind of step: `plan` before decoding, `run` on the pixels. At least one. */
export type StepExecutor<K extends string> = AtLeastOne<{
  plan: (step: K extends CiStepKey ? CiStepOf<K> : never, plan: RulePlan, label: string) => void;
  run: (step: K extends CiStepKey ? CiStepOf<K> : never, state: RunState, label: string) => Promise<void>;
}>;

/** One executor per step kind: a kind without an executor does not compile. */
export type StepExecutorMap<N extends string> = { readonly [K in N]: StepExecutor<K> };

const TRANSPARENT = { r: 0, g: 0, b: 0, alpha: 0 };
const WHITE = { r: 255, g: 255, b: 255, alpha: 1 };

function fail(where: string, message: string): never {
  throw new CiProcessingError('InvalidArgument', `${where}: ${message}`);
}

const same = (a: Size, b: Size): boolean => a.width === b.width && a.height === b.height;

/** The SVG mask of a circle filling a `d`×`d` square, or of a rectangle with rounded corners. */
function maskSvg(size: Size, radius: number, circle: boolean): Buffer {
  const shape = circle
    ? `<circle cx="${size.width / 2}" cy="${size.height / 2}" r="${size.width / 2}" fill="#fff"/>`
    : `<rect x="0" y="0" width="${size.width}" height="${size.height}" rx="${radius}" ry="${radius}" fill="#fff"/>`;
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size.width}" height="${size.height}">${shape}</svg>`,
  );
}

/** Output formats CI names but sharp's prebuilt libvips cannot write, with the reason. */
const UNWRITABLE: Readonly<Record<string, string>> = {
  heif: 'HEVC-coded HEIF needs an HEVC encoder, which this libvips build lacks (use avif)',
  tpg: "TPG is Tencent's own format",
  svgc: "SVGC is Tencent's own format",
  jxl: 'this libvips build has no JPEG XL encoder',
};

/** Records `format/<fmt>`, refusing what the emulator cannot write. */
export function planFormat(plan: RulePlan, label: string, format: NonNullable<RulePlan['format']>): void {
  const reason = UNWRITABLE[format];
  if (reason) {
    throw new CiProcessingError(
      'InvalidArgument',
      `${label}: format ${format} is not supported by the emulator (${reason})`,
    );
  }
  plan.format = format;
}

async function radius(op: MogrOpOf<'iradius' | 'rradius'>, state: RunState, where: string): Promise<void> {
  const { pipeline } = state;
  if (pipeline.pages > 1) fail(where, 'CI does not cut corners of an animated image');
  let current = await pipeline.size();
  const r = Math.min(op.radius, Math.floor(Math.min(current.width, current.height) / 2));
  if (r < 1) fail(where, `the ${current.width}x${current.height} image is too small`);
  if (op.op === 'iradius') {
    const side = r * 2;
    const rect = {
      left: Math.floor((current.width - side) / 2),
      top: Math.floor((current.height - side) / 2),
      width: side,
      height: side,
    };
    if (!same(rect, current)) await pipeline.extract(rect);
    current = rect;
  }
  await pipeline.composite([{ input: maskSvg(current, r, op.op === 'iradius'), blend: 'dest-in' }], {
    producesAlpha: true,
  });
}

const planTransparency = (_op: unknown, plan: RulePlan): void => {
  plan.makesTransparency = true;
};

/** The emulator's executor of every imageMogr2 operation the model knows. */
export const MOGR_EXECUTORS: MogrExecutorMap<CiKnownMogrOpName> = {
  thumbnail: {
    async run(op, { pipeline }, _where, step) {
      const current = await pipeline.size();
      const target = thumbnailSize(op, current);
      if (!same(target, current)) await pipeline.resize(target);
      const pad = step.ops.find((o) => o.op === 'pad');
      const box = pad ? thumbnailBox(op) : undefined;
      if (!box || pad?.op !== 'pad') return;
      const dw = Math.max(0, box.width - target.width);
      const dh = Math.max(0, box.height - target.height);
      if (dw === 0 && dh === 0) return;
      const edges = {
        left: Math.floor(dw / 2),
        right: dw - Math.floor(dw / 2),
        top: Math.floor(dh / 2),
        bottom: dh - Math.floor(dh / 2),
      };
      await pipeline.extend(edges, pad.color ?? '#FFFFFF');
    },
  },
  crop: {
    async run(op, { pipeline }, where) {
      const current = await pipeline.size();
      const rect = cropRect(current, op);
      if (!rect) fail(where, `the crop lies outside the ${current.width}x${current.height} image`);
      if (!same(rect, current)) await pipeline.extract(rect);
    },
  },
  cut: {
    async run(op, { pipeline }, where) {
      const current = await pipeline.size();
      const rect = clipRect({ left: op.dx, top: op.dy, width: op.width, height: op.height }, current);
      if (!rect) fail(where, `the cut lies outside the ${current.width}x${current.height} image`);
      if (!same(rect, current)) await pipeline.extract(rect);
    },
  },
  iradius: { plan: planTransparency, run: radius },
  rradius: { plan: planTransparency, run: radius },
  scrop: {
    // CI crops around faces (and returns the original when it finds none); libvips' attention strategy is the nearest.
    run: (op, { pipeline }) =>
      pipeline.resize({ width: op.width, height: op.height }, { position: 'attention' }),
  },
  rotate: {
    run: (op, state) =>
      state.pipeline.rotate(op.degrees, state.alphaOutput && state.pipeline.hasAlpha ? TRANSPARENT : WHITE),
  },
  'auto-orient': { run: (_op, { pipeline }) => pipeline.autoOrient() },
  flip: { run: (op, { pipeline }) => pipeline.flip(op.direction) },
  format: { plan: (op, plan, label) => planFormat(plan, label, op.format) },
  quality: {
    plan: (op, plan) =>
      void plan.qualities.push({ kind: 'quality', value: op.value, force: op.force ?? false }),
  },
  rquality: { plan: (op, plan) => void plan.qualities.push({ kind: 'rquality', value: op.value }) },
  lquality: { plan: (op, plan) => void plan.qualities.push({ kind: 'lquality', value: op.value }) },
  // libvips derives the kernel size from sigma; CI's radius has no separate meaning here.
  blur: { run: (op, { pipeline }) => pipeline.blur(op.sigma) },
  // 70, CI's recommended value, is a 1-pixel unsharp mask.
  sharpen: { run: (op, { pipeline }) => pipeline.sharpen(op.value / 70) },
  bright: { run: (op, { pipeline }) => pipeline.linear(1, op.value * 2.55) },
  contrast: {
    run(op, { pipeline }) {
      // The slope of ImageMagick's -brightness-contrast, pivoting on mid-grey.
      const slope = Math.min(100, Math.tan(((op.value + 100) * Math.PI) / 400));
      return pipeline.linear(slope, 128 * (1 - slope));
    },
  },
  grayscale: { run: async (op, { pipeline }) => (op.value === 1 ? pipeline.greyscale() : undefined) },
  // The orientation is dropped once the whole step ran (see execute-rule), so an auto-orient after it still turns.
  strip: { plan: (_op, plan) => void (plan.strip = true) },
  interlace: { plan: (op, plan) => void (plan.interlace = op.value === 1) },
  'size-limit': {
    plan(op, plan) {
      plan.sizeLimit = { bytes: op.value * (op.unit === 'k' ? 1024 : 1024 * 1024), force: op.force ?? false };
    },
  },
  'ignore-error': { plan: (_op, plan) => void (plan.ignoreError = true) },
  // The fill is drawn by the thumbnail it follows or precedes (see `thumbnail`).
  pad: { plan: () => undefined },
  // CI: cgif/1 means its default of 30 frames; cgif/<2-100> keeps that many (the first ones here).
  cgif: { plan: (op, plan) => void (plan.frames = op.frames === 1 ? 30 : op.frames) },
  frame: { plan: (op, plan) => void (plan.frame = op.frames) },
};

function pushViewQualities(step: CiStepOf<'imageView2'>, plan: RulePlan): void {
  if (step.quality !== undefined) {
    plan.qualities.push({ kind: 'quality', value: step.quality, force: step.forceQuality ?? false });
  }
  if (step.rquality !== undefined) plan.qualities.push({ kind: 'rquality', value: step.rquality });
  if (step.lquality !== undefined) plan.qualities.push({ kind: 'lquality', value: step.lquality });
}

async function watermark(
  step: CiStepOf<'watermark/1'> | CiStepOf<'watermark/2'>,
  state: RunState,
): Promise<void> {
  const { pipeline } = state;
  const frame = await pipeline.size();
  const overlays =
    step.type === 1
      ? await imageWatermarkOverlays(step, frame, pipeline.pages, state.ctx.loadWatermark, state.limits)
      : await textWatermarkOverlays(step, frame, pipeline.pages);
  return pipeline.composite(overlays);
}

/** The emulator's executor of every kind of step it runs. */
export const STEP_EXECUTORS: StepExecutorMap<ExecutableStepKey> = {
  imageMogr2: {
    plan(step, plan, label) {
      for (const op of step.ops) {
        if (op.op === 'unknown') {
          throw new CiProcessingError(
            'InvalidArgument',
            `${label}: imageMogr2 operation ${JSON.stringify([op.name, ...op.args].join('/'))} is not supported by the emulator`,
          );
        }
        (MOGR_EXECUTORS[op.op] as MogrExecutor<string>).plan?.(op as never, plan, label);
      }
    },
    async run(step, state, label) {
      for (const op of step.ops) {
        if (op.op === 'unknown') continue;
        await (MOGR_EXECUTORS[op.op] as MogrExecutor<string>).run?.(
          op as never,
          state,
          `${label} ${op.op}`,
          step,
        );
      }
    },
  },
  imageView2: {
    plan(step, plan, label) {
      if (step.format) planFormat(plan, label, step.format);
      pushViewQualities(step, plan);
      if (step.ignoreError) plan.ignoreError = true;
    },
    async run(step, { pipeline }) {
      const plan = imageView2Plan(step, await pipeline.size());
      if (!plan) return;
      if (plan.crop) await pipeline.resize(plan.crop, { position: 'centre' });
      else await pipeline.resize(plan.resize);
    },
  },
  'watermark/1': { run: watermark },
  'watermark/2': { run: watermark },
  imageSlim: { plan: (_step, plan) => void (plan.slim = true) },
  // Stand-ins (emulator/README.md): these leave the pixels as they are, and say so in the plan.
  ciProcess: { plan: (step, plan) => void plan.standIns.push(`ci-process=${step.process}`) },
  'watermark/3': {
    plan: (_step, plan) => void plan.standIns.push('watermark/3 (blind watermark not embedded)'),
  },
  'watermark/4': { plan: (_step, plan) => void plan.standIns.push('watermark/4 (nothing extracted)') },
  QRcode: { plan: (_step, plan) => void plan.standIns.push('QRcode (no code recognised or covered)') },
};
