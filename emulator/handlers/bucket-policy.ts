import { cosErrors } from '../errors/cos-errors';
import type { ObjectStore } from '../storage/object-store';
import { bucketSubresources } from '../storage/bucket-subresources';

/**
 * Bucket policies (COS "PUT Bucket policy" / "GET Bucket policy" and the access policy language page): a JSON
 * document `{ "version": "2.0", "Statement": [{ "Principal": { "qcs": [...] }, "Effect": "allow", "Action":
 * [...], "Resource": [...] }] }`. COS's GET answers the statement list as `Statement` and the version as `version`
 * (the GET page's example); the emulator keeps each statement's own fields as they were sent.
 */
interface PolicyStatement {
  [field: string]: unknown;
}

const policyError = (message: string) => cosErrors.malformedXml(`The policy is not valid: ${message}`);

/** A field of a JSON object whatever its case (`statement`, `Statement`). */
function field(object: Record<string, unknown>, name: string): unknown {
  const key = Object.keys(object).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : object[key];
}

function strings(value: unknown): string[] {
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return list.filter((v): v is string => typeof v === 'string');
}

/** Checks a PUT Bucket policy body and returns the document stored: 400 `MalformedXML` (COS's code) when invalid. */
export function parsePolicy(text: string): string {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw policyError('the body is not JSON.');
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc))
    throw policyError('the body is not a JSON object.');
  const policy = doc as Record<string, unknown>;
  const statements = field(policy, 'statement');
  if (!Array.isArray(statements) || statements.length === 0)
    throw policyError('Statement must be a non-empty list.');
  for (const [i, statement] of statements.entries()) {
    if (!statement || typeof statement !== 'object') throw policyError(`Statement[${i}] is not an object.`);
    const effect = field(statement as PolicyStatement, 'effect');
    if (typeof effect !== 'string' || !['allow', 'deny'].includes(effect.toLowerCase())) {
      throw policyError(`Statement[${i}].effect must be allow or deny.`);
    }
    if (!strings(field(statement as PolicyStatement, 'action')).length) {
      throw policyError(`Statement[${i}].action is required.`);
    }
    if (!strings(field(statement as PolicyStatement, 'resource')).length) {
      throw policyError(`Statement[${i}].resource is required.`);
    }
  }
  return JSON.stringify({ Statement: statements, version: field(policy, 'version') ?? '2.0' });
}

/** The COS actions (`name/cos:<Action>`) an anonymous request of an operation needs. */
const ANONYMOUS_READS: Readonly<Record<string, string>> = {
  GetObject: 'GetObject',
  HeadObject: 'HeadObject',
  GetBucket: 'GetBucket',
  HeadBucket: 'HeadBucket',
};

const ANYONE = 'qcs::cam::anyone:anyone';

function wildcard(pattern: string): RegExp {
  return new RegExp(
    '^' +
      pattern
        .split('*')
        .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*') +
      '$',
  );
}

/** The `<bucket>/<key>` a resource names: `qcs::cos:<region>:uid/<appid>:<bucket>/<key pattern>`. */
function resourcePath(resource: string): string | undefined {
  if (resource === '*') return '*';
  const match = /^qcs::cos:[^:]*:uid\/\d+:(.+)$/.exec(resource);
  return match?.[1];
}

function statementMatches(statement: PolicyStatement, action: string, path: string): boolean {
  const principal = field(statement, 'principal');
  const principals =
    principal && typeof principal === 'object'
      ? strings(field(principal as PolicyStatement, 'qcs'))
      : strings(principal);
  if (!principals.some((p) => p === ANYONE || p === '*')) return false;
  const actions = strings(field(statement, 'action'));
  if (!actions.some((a) => a === '*' || wildcard(a).test(`name/cos:${action}`))) return false;
  return strings(field(statement, 'resource')).some((resource) => {
    const pattern = resourcePath(resource);
    return pattern !== undefined && wildcard(pattern).test(path);
  });
}

/**
 * What a bucket's policy says of an anonymous (unsigned) read: `allow` when a statement for anyone
 * (`qcs::cam::anyone:anyone`, the principal the console's public-read policy writes) allows the operation's
 * action on the resource, `deny` when one denies it (a deny wins), `undefined` when the policy says nothing (the
 * ACL decides). Only reads are reproduced: GetObject, HeadObject, GetBucket, HeadBucket.
 */
export function anonymousPolicyDecision(
  store: ObjectStore,
  bucket: string,
  key: string,
  operation: string,
): 'allow' | 'deny' | undefined {
  const action = ANONYMOUS_READS[operation];
  const document = action ? bucketSubresources.get(store, bucket, 'policy') : undefined;
  if (!action || !document) return undefined;
  const statements = (JSON.parse(document) as { Statement: PolicyStatement[] }).Statement;
  const path = `${bucket}/${key}`;
  let decision: 'allow' | undefined;
  for (const statement of statements) {
    if (!statementMatches(statement, action, path)) continue;
    if (String(field(statement, 'effect')).toLowerCase() === 'deny') return 'deny';
    decision = 'allow';
  }
  return decision;
}
