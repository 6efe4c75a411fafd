import {
  CI_FAULT_OPERATIONS,
  type CiFaultAction,
  type CiFaultMatch,
  type CiFaultOperation,
  type CiFaultSpec,
} from './fault.types';

/** Longest latency (or extra processing time) a fault may add: ten minutes. */
export const MAX_FAULT_LATENCY_MS = 600_000;

type Fields = Record<string, unknown>;

function fail(field: string, message: string): never {
  throw new TypeError(`${field} ${message}`);
}

function object(value: unknown, field: string): Fields {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(field, 'must be an object');
  return value as Fields;
}

function onlyKeys(fields: Fields, field: string, allowed: readonly string[]): void {
  const extra = Object.keys(fields).find((k) => !allowed.includes(k));
  if (extra !== undefined) fail(`${field}.${extra}`, `is not a known field (${allowed.join(', ')})`);
}

function integer(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(field, `must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return value;
}

function text(value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '') fail(field, 'must be a non-empty string');
  return value;
}

function operation(value: unknown, field: string): CiFaultOperation {
  if (!CI_FAULT_OPERATIONS.includes(value as CiFaultOperation)) {
    fail(field, `must be one of ${CI_FAULT_OPERATIONS.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return value as CiFaultOperation;
}

function parseMatch(value: unknown, field: string): CiFaultMatch {
  if (value === undefined) return {};
  const fields = object(value, field);
  onlyKeys(fields, field, ['operation', 'keyPrefix', 'method', 'bucket']);
  const match: CiFaultMatch = {};
  if (fields.operation !== undefined) {
    match.operation = Array.isArray(fields.operation)
      ? fields.operation.map((op, i) => operation(op, `${field}.operation[${i}]`))
      : operation(fields.operation, `${field}.operation`);
  }
  if (fields.keyPrefix !== undefined) {
    if (typeof fields.keyPrefix !== 'string') fail(`${field}.keyPrefix`, 'must be a string');
    match.keyPrefix = fields.keyPrefix.replace(/^\//, '');
  }
  if (fields.method !== undefined) match.method = text(fields.method, `${field}.method`).toUpperCase();
  if (fields.bucket !== undefined) match.bucket = text(fields.bucket, `${field}.bucket`);
  return match;
}

function parseAction(value: unknown, field: string): CiFaultAction {
  const fields = object(value, field);
  switch (fields.type) {
    case 'latency': {
      onlyKeys(fields, field, ['type', 'ms', 'phase', 'chunkBytes']);
      const phase = fields.phase ?? 'headers';
      if (phase !== 'headers' && phase !== 'body') fail(`${field}.phase`, 'must be "headers" or "body"');
      const action: CiFaultAction = {
        type: 'latency',
        ms: integer(fields.ms, `${field}.ms`, 0, MAX_FAULT_LATENCY_MS),
        phase,
      };
      if (fields.chunkBytes !== undefined) {
        action.chunkBytes = integer(fields.chunkBytes, `${field}.chunkBytes`, 1, 16 * 1024 * 1024);
      }
      return action;
    }
    case 'error': {
      onlyKeys(fields, field, ['type', 'status', 'code', 'message']);
      const code = text(fields.code, `${field}.code`);
      if (!/^[A-Za-z0-9_.-]+$/.test(code)) fail(`${field}.code`, 'must be letters, digits, "_", "." or "-"');
      return {
        type: 'error',
        status: integer(fields.status, `${field}.status`, 400, 599),
        code,
        ...(fields.message === undefined ? {} : { message: text(fields.message, `${field}.message`) }),
      };
    }
    case 'reset':
      onlyKeys(fields, field, ['type', 'phase']);
      if (fields.phase !== 'request' && fields.phase !== 'response') {
        fail(`${field}.phase`, 'must be "request" or "response"');
      }
      return { type: 'reset', phase: fields.phase };
    case 'slow-processing':
      onlyKeys(fields, field, ['type', 'ms']);
      return { type: 'slow-processing', ms: integer(fields.ms, `${field}.ms`, 0, MAX_FAULT_LATENCY_MS) };
    case 'stall':
    case 'malformed-xml':
      onlyKeys(fields, field, ['type']);
      return { type: fields.type };
    default:
      return fail(
        `${field}.type`,
        `must be "latency", "error", "reset", "stall", "malformed-xml" or "slow-processing", got ${JSON.stringify(fields.type)}`,
      );
  }
}

/**
 * Checks a fault given as a value of unknown shape (JSON from the admin endpoint or `--fault`, or a
 * programmatic `faults.add`) and returns it normalised: `times` defaulted to 1, the latency phase to `headers`,
 * `method` upper-cased, a leading `/` dropped from `keyPrefix`. Throws a `TypeError` naming the field at fault.
 * @example parseFaultSpec({ match: { operation: 'PutObject' }, action: { type: 'error', status: 500, code: 'InternalError' } })
 */
export function parseFaultSpec(value: unknown, field = 'fault'): Required<CiFaultSpec> {
  const fields = object(value, field);
  onlyKeys(fields, field, ['match', 'times', 'action']);
  const times = fields.times ?? 1;
  if (times !== Infinity) integer(times, `${field}.times`, 1, Number.MAX_SAFE_INTEGER);
  return {
    match: parseMatch(fields.match, `${field}.match`),
    times: times as number,
    action: parseAction(fields.action, `${field}.action`),
  };
}
