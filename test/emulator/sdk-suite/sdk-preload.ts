// Loaded by mocha (--require) in the official SDK's checkout before its test/test.js, in place of a DNS entry and a
// TLS certificate: the SDK the suite constructs talks plain HTTP (the suite leaves Protocol unset, so https), and
// every request for a COS host (the SDK's and the suite's own `request(...)` calls, which pass `proxy: ''`) goes
// to the emulator as an absolute-form request. The suite's code and assertions are untouched.
import { join } from 'node:path';

interface CosConstructor {
  new (options?: Record<string, unknown>): object;
  prototype: object;
}
interface RequestParams {
  uri?: unknown;
  url?: unknown;
  proxy?: unknown;
}
interface RequestModule {
  Request: { new (params: RequestParams): object; prototype: object };
}

const sdkRoot = process.env.SDK_SUITE_CHECKOUT;
const emulatorUrl = process.env.SDK_SUITE_EMULATOR;
if (!sdkRoot || !emulatorUrl) {
  throw new Error(
    'SDK_SUITE_CHECKOUT / SDK_SUITE_EMULATOR are not set (run test/emulator/sdk-suite/run-sdk-suite.ts)',
  );
}
const COS_HOST = /^https?:\/\/[^/?#]+\.(myqcloud\.com|tencentcos\.cn)(:\d+)?([/?#]|$)/i;

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the checkout's paths are known only at run time
const requestModule = require(require.resolve('request', { paths: [sdkRoot] })) as RequestModule;
const OriginalRequest = requestModule.Request;
function RoutedRequest(params: RequestParams): object {
  const uri = params.uri ?? params.url;
  const href = typeof uri === 'string' ? uri : (uri as { href?: string } | undefined)?.href;
  if (href && COS_HOST.test(href)) {
    // An explicit `Url: 'https://...'` (the suite's ImageInspect call) goes over plain HTTP too.
    if (href.startsWith('https:')) {
      delete params.url;
      params.uri = 'http:' + href.slice('https:'.length);
    }
    if (!params.proxy) params.proxy = emulatorUrl;
  }
  return new OriginalRequest(params);
}
RoutedRequest.prototype = OriginalRequest.prototype;
requestModule.Request = RoutedRequest as unknown as RequestModule['Request'];

const indexPath = require.resolve(join(sdkRoot, 'index.js'));
// eslint-disable-next-line @typescript-eslint/no-require-imports -- as above
const OriginalCos = require(indexPath) as CosConstructor;
function EmulatedCos(this: object, options?: Record<string, unknown>): void {
  Reflect.apply(OriginalCos, this, [{ ...options, Protocol: 'http:' }]);
}
EmulatedCos.prototype = OriginalCos.prototype;
Object.setPrototypeOf(EmulatedCos, OriginalCos);
require.cache[indexPath]!.exports = EmulatedCos;
