import { cosErrors } from '../errors/cos-errors';
import { CosHttpError } from '../errors/cos-http.error';
import type { CorsRule } from '../storage/object-store';
import { buildXml } from '../xml/xml';
import type { CosHandlerRoute, HandlerContext } from './handler.types';
import { child, listOf, readXmlBody, textOf } from './xml-body';

const CORS_METHODS = new Set(['GET', 'PUT', 'POST', 'DELETE', 'HEAD']);

function texts(value: ReturnType<typeof child>): string[] {
  return listOf(value)
    .map((v) => textOf(v) ?? '')
    .filter(Boolean);
}

/** PUT Bucket cors: `<CORSConfiguration><CORSRule>` (AllowedOrigin, AllowedMethod, AllowedHeader, ExposeHeader, MaxAgeSeconds, ID). */
async function putBucketCors(context: HandlerContext): Promise<void> {
  const { env, bucket, exchange } = context;
  const rulePath = 'CORSConfiguration.CORSRule';
  const doc = await readXmlBody(context, [
    rulePath,
    `${rulePath}.AllowedOrigin`,
    `${rulePath}.AllowedMethod`,
    `${rulePath}.AllowedHeader`,
    `${rulePath}.ExposeHeader`,
  ]);
  const rules = listOf(child(doc.CORSConfiguration, 'CORSRule')).map((rule, index): CorsRule => {
    const allowedOrigins = texts(child(rule, 'AllowedOrigin'));
    const allowedMethods = texts(child(rule, 'AllowedMethod')).map((m) => m.toUpperCase());
    if (allowedOrigins.length === 0 || allowedMethods.length === 0) {
      throw cosErrors.malformedXml(`CORSRule[${index}] needs an AllowedOrigin and an AllowedMethod.`);
    }
    const badMethod = allowedMethods.find((m) => !CORS_METHODS.has(m));
    if (badMethod)
      throw cosErrors.invalidArgument(
        `CORSRule[${index}]: AllowedMethod ${badMethod} is not one of GET, PUT, POST, DELETE, HEAD.`,
      );
    const maxAge = textOf(child(rule, 'MaxAgeSeconds'));
    if (maxAge !== undefined && !/^\d+$/.test(maxAge)) {
      throw cosErrors.invalidArgument(`CORSRule[${index}]: MaxAgeSeconds must be an integer.`);
    }
    return {
      id: textOf(child(rule, 'ID')),
      allowedOrigins,
      allowedMethods,
      allowedHeaders: texts(child(rule, 'AllowedHeader')),
      exposeHeaders: texts(child(rule, 'ExposeHeader')),
      maxAgeSeconds: maxAge === undefined ? undefined : Number(maxAge),
    };
  });
  if (rules.length === 0) throw cosErrors.malformedXml('<CORSConfiguration> needs at least one <CORSRule>.');
  await env.store.setBucketConfig(bucket, { ...env.store.getBucketConfig(bucket), cors: rules });
  exchange.sendEmpty(200);
}

/** GET Bucket cors: the rules, or 404 `NoSuchCORSConfiguration`. */
async function getBucketCors(context: HandlerContext): Promise<void> {
  const { env, bucket, exchange } = context;
  const rules = env.store.getBucketConfig(bucket).cors;
  if (!rules)
    throw new CosHttpError(404, 'NoSuchCORSConfiguration', 'The CORS configuration does not exist.');
  exchange.sendXml(
    200,
    buildXml({
      CORSConfiguration: {
        CORSRule: rules.map((r) => ({
          ID: r.id,
          AllowedOrigin: r.allowedOrigins,
          AllowedMethod: r.allowedMethods,
          AllowedHeader: r.allowedHeaders,
          ExposeHeader: r.exposeHeaders,
          MaxAgeSeconds: r.maxAgeSeconds,
        })),
      },
    }),
  );
}

/** DELETE Bucket cors: 204; preflights are then refused again. */
async function deleteBucketCors(context: HandlerContext): Promise<void> {
  const { env, bucket, exchange } = context;
  const { cors: _dropped, ...rest } = env.store.getBucketConfig(bucket);
  await env.store.setBucketConfig(bucket, rest);
  exchange.sendEmpty(204);
}

/** Bucket CORS configuration routes: PutBucketCors, GetBucketCors, DeleteBucketCors. */
export const corsRoutes: readonly CosHandlerRoute[] = [
  {
    operation: 'PutBucketCors',
    method: 'PUT',
    scope: 'bucket',
    subresources: ['cors'],
    handler: putBucketCors,
  },
  {
    operation: 'GetBucketCors',
    method: 'GET',
    scope: 'bucket',
    subresources: ['cors'],
    handler: getBucketCors,
  },
  {
    operation: 'DeleteBucketCors',
    method: 'DELETE',
    scope: 'bucket',
    subresources: ['cors'],
    handler: deleteBucketCors,
  },
];
