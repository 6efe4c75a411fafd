import type {
  CiImageMogr2Op,
  CiImageView2Step,
  CiRule,
  CiRuleParam,
  CiRuleStep,
  CiThumbnailOp,
  CiWatermarkImageStep,
  CiWatermarkTextStep,
} from './rule.types';
import { validateRule } from './rule.validator';
import { encodeUrlSafeBase64 } from './url-safe-base64';

function thumbnailGeometry(op: CiThumbnailOp): string {
  switch (op.mode) {
    case 'scale':
      return `!${op.scale}p`;
    case 'widthScale':
      return `!${op.scale}px`;
    case 'heightScale':
      return `!x${op.scale}p`;
    case 'width':
      return `${op.width}x`;
    case 'height':
      return `x${op.height}`;
    case 'fit':
      return `${op.width}x${op.height}`;
    case 'cover':
      return `!${op.width}x${op.height}r`;
    case 'force':
      return `${op.width}x${op.height}!`;
    case 'shrink':
      return `${op.width}x${op.height}>`;
    case 'enlarge':
      return `${op.width}x${op.height}<`;
    case 'area':
      return `${op.area}@`;
  }
}

function mogrOp(op: CiImageMogr2Op): string[] {
  switch (op.op) {
    case 'thumbnail':
      return ['thumbnail', thumbnailGeometry(op)];
    case 'crop': {
      const out = ['crop', `${op.width ?? ''}x${op.height ?? ''}`];
      if (op.gravity !== undefined) out.push('gravity', op.gravity);
      if (op.dx !== undefined) out.push('dx', String(op.dx));
      if (op.dy !== undefined) out.push('dy', String(op.dy));
      return out;
    }
    case 'cut':
      return ['cut', `${op.width}x${op.height}x${op.dx}x${op.dy}`];
    case 'iradius':
    case 'rradius':
      return [op.op, String(op.radius)];
    case 'scrop':
      return ['scrop', `${op.width}x${op.height}`];
    case 'rotate':
      return ['rotate', String(op.degrees)];
    case 'auto-orient':
    case 'strip':
      return [op.op];
    case 'ignore-error':
      return ['ignore-error', '1'];
    case 'flip':
      return ['flip', op.direction];
    case 'format':
      return ['format', op.format];
    case 'quality':
      return ['quality', `${op.value}${op.force ? '!' : ''}`];
    case 'rquality':
    case 'lquality':
    case 'sharpen':
    case 'bright':
    case 'contrast':
    case 'grayscale':
    case 'interlace':
      return [op.op, String(op.value)];
    case 'blur':
      return ['blur', `${op.radius}x${op.sigma}`];
    case 'size-limit':
      return ['size-limit', `${op.value}${op.unit}${op.force ? '!' : ''}`];
    case 'pad':
      return op.color === undefined ? ['pad', '1'] : ['pad', '1', 'color', encodeUrlSafeBase64(op.color)];
    case 'cgif':
      return ['cgif', String(op.frames)];
    case 'unknown':
      return [op.name, ...op.args];
  }
}

function pairs(entries: [string, string | number | undefined][], extra: CiRuleParam[] | undefined): string[] {
  const out: string[] = [];
  for (const [key, value] of entries) if (value !== undefined) out.push(key, String(value));
  for (const param of extra ?? []) out.push(param.name, param.value);
  return out;
}

function imageView2(step: CiImageView2Step): string[] {
  const head = step.mode === undefined ? ['imageView2'] : ['imageView2', String(step.mode)];
  const quality = step.quality === undefined ? undefined : `${step.quality}${step.forceQuality ? '!' : ''}`;
  return [
    ...head,
    ...pairs(
      [
        ['w', step.width],
        ['h', step.height],
        ['format', step.format],
        ['q', quality],
        ['rq', step.rquality],
        ['lq', step.lquality],
      ],
      step.extra,
    ),
  ];
}

const b64 = (value: string | undefined): string | undefined =>
  value === undefined ? undefined : encodeUrlSafeBase64(value);

function watermarkImage(step: CiWatermarkImageStep): string[] {
  return [
    'watermark',
    '1',
    ...pairs(
      [
        ['image', b64(step.image)],
        ['gravity', step.gravity],
        ['dx', step.dx],
        ['dy', step.dy],
        ['blogo', step.blogo],
      ],
      step.extra,
    ),
  ];
}

function watermarkText(step: CiWatermarkTextStep): string[] {
  return [
    'watermark',
    '2',
    ...pairs(
      [
        ['text', b64(step.text)],
        ['font', b64(step.font)],
        ['fontsize', step.fontSize],
        ['fill', b64(step.fill)],
        ['dissolve', step.dissolve],
        ['gravity', step.gravity],
        ['dx', step.dx],
        ['dy', step.dy],
        ['batch', step.batch],
        ['degree', step.degree],
      ],
      step.extra,
    ),
  ];
}

function serializeStep(step: CiRuleStep): string {
  switch (step.kind) {
    case 'imageMogr2':
      return ['imageMogr2', ...step.ops.flatMap(mogrOp)].join('/');
    case 'imageView2':
      return imageView2(step).join('/');
    case 'watermark':
      return (step.type === 1 ? watermarkImage(step) : watermarkText(step)).join('/');
    case 'style':
      return `style/${step.name}`;
    case 'unknown':
      return step.raw;
  }
}

/**
 * Writes a {@link CiRule} as the CI string (steps joined by `|`), in canonical form: known parameters in the
 * documented order, gravity and formats lower case, base64 URL-safe without padding. Validates the rule first
 * (`CiValidationError` `RULE_EMPTY` / `RULE_MALFORMED`). For canonical strings,
 * `serializeRule(parseRule(s)) === s`.
 * @example serializeRule({ steps: [{ kind: 'style', name: 'thumb' }] }) // 'style/thumb'
 */
export function serializeRule(rule: CiRule): string {
  validateRule(rule);
  return rule.steps.map(serializeStep).join('|');
}
