import { cosErrors } from '../errors/cos-errors';
import { CosHttpError } from '../errors/cos-http.error';
import { bucketSubresources } from '../storage/bucket-subresources';
import { buildXml, type ParsedXmlValue, parseXmlDocument } from '../xml/xml';
import { parsePolicy } from './bucket-policy';
import type { CosHandler, CosHandlerRoute, HandlerContext } from './handler.types';
import { child, listOf, readConfigBody, readXmlBody, textOf } from './xml-body';

/** An operation name of the emulator's vocabulary (`PutBucketLifecycle`, ...). */
type CosOperation = CosHandlerRoute['operation'];

/** What checks a configuration document: throws 400 (`MalformedXML`, `InvalidArgument`, ...) when COS would. */
type ConfigCheck = (config: ParsedXmlValue, context: HandlerContext) => void;

/**
 * One bucket configuration sub-resource (`?lifecycle`, `?referer`, ...): stored as sent by PUT, answered by GET,
 * removed by DELETE, all through one handler. What each does to requests (enforcement) lives elsewhere, when the
 * emulator reproduces it (referer, policy, encryption).
 */
export interface BucketConfigResource {
  /** The query sub-resource (`lifecycle`). */
  subresource: string;
  /** The root element of the document (`LifecycleConfiguration`); a JSON document when `json`. */
  root: string;
  operations: { put: CosOperation; get: CosOperation; delete?: CosOperation };
  /** Checks the document's content (the root element's value). */
  check: ConfigCheck;
  /** GET with nothing stored: COS's 404 error code, or the empty document it answers (logging, accelerate). */
  missing: { code: string; message: string } | 'empty';
  /** A PUT of an empty document removes the configuration (PUT Bucket logging with no `LoggingEnabled`). */
  emptyPutRemoves?: boolean;
  /** One document per `?id=` (inventory); GET without `id` lists them in `listRoot`. */
  keyedById?: { listRoot: string };
  /** A JSON document (policy): `parse` returns the normalized text to store. */
  json?: { parse: (text: string) => string };
}

const fail = (message: string) => cosErrors.malformedXml(message);

function need(condition: unknown, message: string): asserts condition {
  if (!condition) throw fail(message);
}

function text(value: ParsedXmlValue | undefined, path: string): string | undefined {
  const found = path.split('.').reduce<ParsedXmlValue | undefined>((node, name) => child(node, name), value);
  return textOf(found);
}

function oneOf(value: string | undefined, allowed: readonly string[], what: string): void {
  need(value !== undefined && allowed.includes(value), `${what} must be one of ${allowed.join(', ')}.`);
}

/** Each element of a repeated child, required at least once. */
function entries(value: ParsedXmlValue, name: string, max: number): ParsedXmlValue[] {
  const list = listOf(child(value, name));
  need(list.length > 0, `At least one ${name} is required.`);
  if (list.length > max) throw cosErrors.invalidArgument(`At most ${max} ${name} elements are allowed.`);
  return list;
}

const notFound = (code: string, message: string) => ({ code, message });

/**
 * The configuration sub-resources served by {@link bucketConfigRoutes}. Element names, values and error codes:
 * COS's API pages (PUT/GET/DELETE Bucket <name>) and cos-nodejs-sdk-v5 `sdk/base.js` (the body each put* builds,
 * the 404 code each get* reads as "no configuration").
 */
export const BUCKET_CONFIG_RESOURCES: readonly BucketConfigResource[] = [
  {
    subresource: 'tagging',
    root: 'Tagging',
    operations: { put: 'PutBucketTagging', get: 'GetBucketTagging', delete: 'DeleteBucketTagging' },
    check: (config) => {
      const tags = listOf(child(child(config, 'TagSet'), 'Tag'));
      if (tags.length > 50) throw cosErrors.invalidArgument('A bucket has at most 50 tags.');
      const keys = tags.map((tag) => text(tag, 'Key'));
      need(
        keys.every((key) => key),
        'Every Tag needs a Key.',
      );
      if (new Set(keys).size !== keys.length) throw cosErrors.invalidArgument('Tag keys must be unique.');
    },
    missing: notFound('NoSuchTagSet', 'The TagSet does not exist.'),
  },
  {
    subresource: 'lifecycle',
    root: 'LifecycleConfiguration',
    operations: { put: 'PutBucketLifecycle', get: 'GetBucketLifecycle', delete: 'DeleteBucketLifecycle' },
    check: (config) => {
      for (const rule of entries(config, 'Rule', 1000))
        oneOf(text(rule, 'Status'), ['Enabled', 'Disabled'], 'Status');
    },
    missing: notFound('NoSuchLifecycleConfiguration', 'The lifecycle configuration does not exist.'),
  },
  {
    subresource: 'website',
    root: 'WebsiteConfiguration',
    operations: { put: 'PutBucketWebsite', get: 'GetBucketWebsite', delete: 'DeleteBucketWebsite' },
    check: (config) => need(text(config, 'IndexDocument.Suffix'), 'IndexDocument.Suffix is required.'),
    missing: notFound(
      'NoSuchWebsiteConfiguration',
      'The specified bucket does not have a website configuration.',
    ),
  },
  {
    subresource: 'referer',
    root: 'RefererConfiguration',
    operations: { put: 'PutBucketReferer', get: 'GetBucketReferer' },
    check: (config) => {
      oneOf(text(config, 'Status'), ['Enabled', 'Disabled'], 'Status');
      oneOf(text(config, 'RefererType'), ['Black-List', 'White-List'], 'RefererType');
      const empty = text(config, 'EmptyReferConfiguration');
      if (empty !== undefined) oneOf(empty, ['Allow', 'Deny'], 'EmptyReferConfiguration');
    },
    missing: notFound('NoSuchRefererConfiguration', 'The referer configuration does not exist.'),
  },
  {
    subresource: 'logging',
    root: 'BucketLoggingStatus',
    operations: { put: 'PutBucketLogging', get: 'GetBucketLogging' },
    check: (config) => {
      const enabled = child(config, 'LoggingEnabled');
      need(
        enabled !== undefined,
        'BucketLoggingStatus holds LoggingEnabled, or nothing to turn logging off.',
      );
      need(text(enabled, 'TargetBucket'), 'LoggingEnabled.TargetBucket is required.');
    },
    missing: 'empty',
    emptyPutRemoves: true,
  },
  {
    subresource: 'inventory',
    root: 'InventoryConfiguration',
    operations: { put: 'PutBucketInventory', get: 'GetBucketInventory', delete: 'DeleteBucketInventory' },
    check: (config, context) => {
      need(text(config, 'Id') === context.target.query.get('id'), 'Id must be the id query parameter.');
      oneOf(text(config, 'IsEnabled'), ['true', 'false'], 'IsEnabled');
      need(
        text(config, 'Destination.COSBucketDestination.Bucket'),
        'Destination.COSBucketDestination.Bucket is required.',
      );
      oneOf(text(config, 'Destination.COSBucketDestination.Format'), ['CSV'], 'Format');
      oneOf(text(config, 'Schedule.Frequency'), ['Daily', 'Weekly'], 'Schedule.Frequency');
      oneOf(text(config, 'IncludedObjectVersions'), ['All', 'Current'], 'IncludedObjectVersions');
    },
    missing: notFound(
      'NoSuchInventoryConfiguration',
      'The specified inventory configuration does not exist.',
    ),
    keyedById: { listRoot: 'ListInventoryConfigurationResult' },
  },
  {
    subresource: 'domain',
    root: 'DomainConfiguration',
    operations: { put: 'PutBucketDomain', get: 'GetBucketDomain', delete: 'DeleteBucketDomain' },
    check: (config) => {
      for (const rule of entries(config, 'DomainRule', 100)) {
        oneOf(text(rule, 'Status'), ['ENABLED', 'DISABLED'], 'DomainRule.Status');
        need(text(rule, 'Name'), 'DomainRule.Name is required.');
        oneOf(text(rule, 'Type'), ['REST', 'WEBSITE', 'ACCELERATE'], 'DomainRule.Type');
      }
    },
    missing: notFound('NoSuchDomainConfiguration', 'The domain configuration does not exist.'),
  },
  {
    subresource: 'origin',
    root: 'OriginConfiguration',
    operations: { put: 'PutBucketOrigin', get: 'GetBucketOrigin', delete: 'DeleteBucketOrigin' },
    check: (config) => {
      for (const rule of entries(config, 'OriginRule', 100)) {
        oneOf(text(rule, 'OriginType'), ['Proxy', 'Mirror', 'Redirect'], 'OriginRule.OriginType');
        need(/^\d+$/.test(text(rule, 'RulePriority') ?? ''), 'OriginRule.RulePriority must be an integer.');
        need(child(rule, 'OriginInfo') !== undefined, 'OriginRule.OriginInfo is required.');
      }
    },
    missing: notFound('NoSuchOriginConfiguration', 'The origin configuration does not exist.'),
  },
  {
    subresource: 'accelerate',
    root: 'AccelerateConfiguration',
    operations: { put: 'PutBucketAccelerate', get: 'GetBucketAccelerate' },
    check: (config) => oneOf(text(config, 'Status'), ['Enabled', 'Suspended'], 'Status'),
    missing: 'empty',
  },
  {
    subresource: 'replication',
    root: 'ReplicationConfiguration',
    operations: {
      put: 'PutBucketReplication',
      get: 'GetBucketReplication',
      delete: 'DeleteBucketReplication',
    },
    check: (config, context) => {
      need(text(config, 'Role'), 'Role is required.');
      for (const rule of entries(config, 'Rule', 1000)) {
        oneOf(text(rule, 'Status'), ['Enabled', 'Disabled'], 'Rule.Status');
        need(text(rule, 'Destination.Bucket'), 'Rule.Destination.Bucket is required.');
      }
      if (context.env.store.getBucketConfig(context.bucket).versioning !== 'Enabled') {
        throw cosErrors.invalidRequest(
          'Versioning must be Enabled on the bucket to set a replication configuration.',
        );
      }
    },
    missing: notFound(
      'ReplicationConfigurationNotFoundError',
      'The replication configuration was not found.',
    ),
  },
  {
    subresource: 'encryption',
    root: 'ServerSideEncryptionConfiguration',
    operations: { put: 'PutBucketEncryption', get: 'GetBucketEncryption', delete: 'DeleteBucketEncryption' },
    check: (config) => {
      for (const rule of entries(config, 'Rule', 1)) {
        oneOf(
          text(rule, 'ApplySideEncryptionConfiguration.SSEAlgorithm'),
          ['AES256', 'SM4', 'KMS'],
          'SSEAlgorithm',
        );
      }
    },
    missing: notFound(
      'NoSuchEncryptionConfiguration',
      'The server side encryption configuration was not found.',
    ),
  },
  {
    subresource: 'policy',
    root: 'Policy',
    operations: { put: 'PutBucketPolicy', get: 'GetBucketPolicy', delete: 'DeleteBucketPolicy' },
    check: () => undefined,
    missing: notFound('NoSuchPolicy', 'The specified policy does not exist.'),
    json: { parse: parsePolicy },
  },
];

/** The stored document's name: the sub-resource, or `inventory/<id>` for a keyed one. */
function storedName(resource: BucketConfigResource, context: HandlerContext): string {
  if (!resource.keyedById) return resource.subresource;
  const id = context.target.query.get('id');
  if (!id) throw cosErrors.invalidArgument('The id query parameter is required.');
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(id)) {
    throw cosErrors.invalidArgument('id holds 1 to 64 letters, digits, "-", "_" or ".".');
  }
  return `${resource.subresource}/${id}`;
}

/** The document a PUT sends, checked and rebuilt (`undefined` when an empty one removes the configuration). */
async function readDocument(
  resource: BucketConfigResource,
  context: HandlerContext,
): Promise<string | undefined> {
  if (resource.json) return resource.json.parse((await readConfigBody(context)).toString('utf8'));
  const config = (await readXmlBody(context))[resource.root];
  need(config !== undefined, `The root element must be ${resource.root}.`);
  if (
    resource.emptyPutRemoves &&
    (config === '' || (typeof config === 'object' && !Object.keys(config).length))
  ) {
    return undefined;
  }
  need(typeof config === 'object', `${resource.root} is empty.`);
  resource.check(config, context);
  return buildXml({ [resource.root]: config });
}

function putHandler(resource: BucketConfigResource): CosHandler {
  return async (context) => {
    const name = storedName(resource, context);
    const document = await readDocument(resource, context);
    await bucketSubresources.set(context.env.store, context.bucket, name, document);
    context.exchange.sendEmpty(200);
  };
}

function missingError(missing: { code: string; message: string }): CosHttpError {
  return new CosHttpError(404, missing.code, missing.message);
}

function getHandler(resource: BucketConfigResource): CosHandler {
  return async (context) => {
    const { env, bucket, exchange } = context;
    if (resource.keyedById && !context.target.query.has('id')) {
      const documents = bucketSubresources.list(env.store, bucket, `${resource.subresource}/`);
      const configs = documents.map(([, document]) => parseXmlDocument(document)[resource.root]);
      exchange.sendXml(
        200,
        buildXml({ [resource.keyedById.listRoot]: { [resource.root]: configs, IsTruncated: 'false' } }),
      );
      return;
    }
    const document = bucketSubresources.get(env.store, bucket, storedName(resource, context));
    if (document !== undefined) return exchange.sendXml(200, document);
    if (resource.missing === 'empty') return exchange.sendXml(200, buildXml({ [resource.root]: '' }));
    throw missingError(resource.missing);
  };
}

function deleteHandler(resource: BucketConfigResource): CosHandler {
  return async (context) => {
    const name = storedName(resource, context);
    const existed = await bucketSubresources.set(context.env.store, context.bucket, name, undefined);
    if (!existed && resource.keyedById && resource.missing !== 'empty') throw missingError(resource.missing);
    context.exchange.sendEmpty(204);
  };
}

/** PUT / GET / DELETE `/?<sub-resource>` of every {@link BUCKET_CONFIG_RESOURCES} entry. */
export const bucketConfigRoutes: readonly CosHandlerRoute[] = BUCKET_CONFIG_RESOURCES.flatMap((resource) => {
  const route = (method: string, operation: CosOperation, handler: CosHandler): CosHandlerRoute => ({
    operation,
    method,
    scope: 'bucket',
    subresources: [resource.subresource],
    handler,
  });
  const { put, get, delete: remove } = resource.operations;
  return [
    route('PUT', put, putHandler(resource)),
    route('GET', get, getHandler(resource)),
    ...(remove ? [route('DELETE', remove, deleteHandler(resource))] : []),
  ];
});
