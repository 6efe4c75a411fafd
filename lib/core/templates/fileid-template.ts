import { CiValidationError } from '../errors';

/** Values a `fileid` template can use. */
export interface FileIdTemplateValues {
  /** The source key's base name without extension (`3f2c...`). */
  name: string;
  /** The source key's extension without a dot (`jpg`), `''` when none. */
  ext: string;
  /** The source key's directory without a trailing slash (`uploads/2026/11`), `''` at the root. */
  dir: string;
  /** The whole source key. */
  key: string;
  /** A fresh UUID for this file. */
  uuid: string;
  /** The form field the file came in. */
  field: string;
  /** The file's index within its field (0-based). */
  index: number;
}

const PLACEHOLDER = /\{([a-z]+)\}/g;
const NAMES = new Set(['name', 'ext', 'dir', 'key', 'uuid', 'field', 'index']);

/** Splits an object key into the `name`, `ext` and `dir` template values. */
export function keyParts(key: string): Pick<FileIdTemplateValues, 'name' | 'ext' | 'dir' | 'key'> {
  const slash = key.lastIndexOf('/');
  const dir = slash >= 0 ? key.slice(0, slash) : '';
  const base = key.slice(slash + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0
    ? { name: base.slice(0, dot), ext: base.slice(dot + 1), dir, key }
    : { name: base, ext: '', dir, key };
}

/** Throws when a template names a placeholder that does not exist (`{nmae}`), so typos fail at start-up. */
export function checkFileIdTemplate(template: string, field = 'fileid'): void {
  for (const [, name] of template.matchAll(PLACEHOLDER)) {
    if (!NAMES.has(name!)) {
      throw new CiValidationError(
        'RULE_MALFORMED',
        `${field}: unknown placeholder {${name}} in "${template}" (known: ${[...NAMES].map((n) => `{${n}}`).join(' ')})`,
        { field },
      );
    }
  }
}

/**
 * Expands `{name}`, `{ext}`, `{dir}`, `{key}`, `{uuid}`, `{field}`, `{index}` in a `fileid`; for a key at the bucket
 * root, `{dir}/` expands to nothing.
 *
 * @example
 * expandFileId('{name}-200.webp', { ...keyParts('u/2026/ab.jpg'), uuid, field: 'file', index: 0 }) // 'ab-200.webp'
 */
export function expandFileId(template: string, values: FileIdTemplateValues): string {
  // A key at the bucket root has no directory: `{dir}/` then expands to nothing, not to an empty segment.
  const text = values.dir === '' ? template.replaceAll('{dir}/', '') : template;
  return text.replace(PLACEHOLDER, (whole, name: string) =>
    NAMES.has(name) ? String(values[name as keyof FileIdTemplateValues]) : whole,
  );
}
