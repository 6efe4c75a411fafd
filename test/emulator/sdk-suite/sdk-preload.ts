// Loaded by mocha (--require) in the official SDK's checkout before its test/test.js: the SDK constructed by the
// suite talks plain HTTP (the suite leaves Protocol unset, so https), and HTTP_PROXY (set by run-sdk-suite.ts)
// sends every request, the SDK's and the suite's own `request(...)` calls, to the emulator. Nothing else changes.
import { join } from 'node:path';

interface CosConstructor {
  new (options?: Record<string, unknown>): object;
  prototype: object;
}

const sdkRoot = process.env.SDK_SUITE_CHECKOUT;
if (!sdkRoot) throw new Error('SDK_SUITE_CHECKOUT is not set (run test/emulator/sdk-suite/run-sdk-suite.ts)');
const indexPath = require.resolve(join(sdkRoot, 'index.js'));
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the checkout's path is known only at run time
const Original = require(indexPath) as CosConstructor;

function EmulatedCos(this: object, options?: Record<string, unknown>): void {
  Reflect.apply(Original, this, [{ ...options, Protocol: 'http:' }]);
}
EmulatedCos.prototype = Original.prototype;
Object.setPrototypeOf(EmulatedCos, Original);
require.cache[indexPath]!.exports = EmulatedCos;
