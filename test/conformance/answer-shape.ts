import { XMLParser } from 'fast-xml-parser';

/** The type of one field of an answer, as the shape comparison sees it. */
export type FieldType = 'object' | 'array' | 'string' | 'number' | 'boolean' | 'null';

/** Every field path of an answer (array elements merged, `a.b.c`) and its type. */
export type AnswerShape = Map<string, FieldType>;

const xml = new XMLParser({ ignoreAttributes: true, parseTagValue: false, trimValues: true });

/** Parses an answer body: JSON (a trailing comma before `}`/`]` tolerated, as in the seed's sample) or XML. */
export function parseAnswer(body: string): unknown {
  const text = body.trim();
  if (text.startsWith('{') || text.startsWith('[')) return JSON.parse(text.replace(/,(\s*[}\]])/g, '$1'));
  const doc = xml.parse(text) as Record<string, unknown>;
  delete doc['?xml'];
  return doc;
}

/**
 * The shape of a parsed answer. XML has no types and gives one element as an object and two as an array, so in XML
 * mode every leaf is a string and an array is its elements' shape.
 */
export function shapeOf(value: unknown, mode: 'json' | 'xml'): AnswerShape {
  const shape: AnswerShape = new Map();
  const walk = (v: unknown, path: string) => {
    if (Array.isArray(v)) {
      if (mode === 'json' && path) shape.set(path, 'array');
      for (const item of v) walk(item, path);
      return;
    }
    if (v !== null && typeof v === 'object') {
      if (path) shape.set(path, 'object');
      for (const [k, child] of Object.entries(v)) walk(child, path ? `${path}.${k}` : k);
      return;
    }
    if (mode === 'xml') shape.set(path, v === '' || typeof v === 'string' ? 'string' : 'string');
    else shape.set(path, v === null ? 'null' : (typeof v as FieldType));
  };
  walk(value, '');
  return shape;
}

/** How a scenario answer differs from the documented one. */
export interface ShapeDifference {
  /** Documented paths the answer lacks. */
  missing: string[];
  /** Paths present in both with another type (`path: documented -> answer`). */
  types: string[];
  /** Paths the answer has and the documentation does not (informative). */
  extra: string[];
}

/** Compares an answer with the documented one; `optional` paths may be missing. */
export function compareShapes(
  documented: AnswerShape,
  answer: AnswerShape,
  optional: readonly string[] = [],
): ShapeDifference {
  const missing: string[] = [];
  const types: string[] = [];
  for (const [path, type] of documented) {
    const got = answer.get(path);
    if (got === undefined) {
      if (!optional.includes(path)) missing.push(path);
    } else if (got !== type) types.push(`${path}: ${type} -> ${got}`);
  }
  const extra = [...answer.keys()].filter((p) => !documented.has(p));
  return { missing, types, extra };
}

/** The value at a dotted path (first array element at each array). */
export function valueAt(value: unknown, path: string): unknown {
  let v = value;
  for (const part of path.split('.')) {
    while (Array.isArray(v)) v = v[0];
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}
