// Runs the official cos-nodejs-sdk-v5 test suite (test/test.js, unmodified) against an emulator started here, and
// prints how many tests passed and failed, and each failure.
//
// Usage: node -r ./test/emulator/support/register-ts.js test/emulator/sdk-suite/run-sdk-suite.ts <sdk-checkout>
//        [--grep <pattern>] [--failures <file>]
// The checkout is a clone of github.com/tencentyun/cos-nodejs-sdk-v5 with `npm install` run in it.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { XMLParser } from 'fast-xml-parser';
import { EMULATOR_DEV_CREDENTIALS, startCiEmulator } from '../../../emulator';
import { createCosAuthorization } from '../../../lib/protocol/cos-v5/sign';

const BUCKET = 'examplebucket-1250000000';
const REGION = 'ap-guangzhou';
/** The temporary key the suite's STS endpoint hands out (its `tempCOS` and `oldTempCOS` clients sign with it). */
const STS_KEY = {
  secretId: 'AKIDSDKSUITETEMPORARY00000000000',
  secretKey: 'sdk-suite-temporary-secret-key',
  securityToken: 'sdk-suite-session-token',
};

interface Outcome {
  title: string;
  failure?: string;
}

function parseReport(xml: string): Outcome[] {
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    htmlEntities: true,
    isArray: (n) => n === 'testcase',
  });
  const doc = parser.parse(xml) as {
    testsuite?: {
      testcase?: Array<{ classname: string; name: string; failure?: unknown; skipped?: unknown }>;
    };
  };
  return (doc.testsuite?.testcase ?? [])
    .filter((c) => c.skipped === undefined)
    .map((c) => ({
      title: c.name,
      failure:
        c.failure === undefined
          ? undefined
          : String(
              typeof c.failure === 'object'
                ? ((c.failure as { '#text'?: string })['#text'] ?? '')
                : c.failure,
            ),
    }));
}

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { grep: { type: 'string' }, failures: { type: 'string' } },
  });
  const checkout = positionals[0] ? resolve(positionals[0]) : undefined;
  if (!checkout || !existsSync(join(checkout, 'test', 'test.js'))) {
    console.error(
      'usage: run-sdk-suite.ts <cos-nodejs-sdk-v5 checkout, npm-installed> [--grep pattern] [--failures file]',
    );
    process.exit(2);
  }
  const mocha = join(checkout, 'node_modules', 'mocha', 'bin', '_mocha');
  if (!existsSync(mocha)) {
    console.error(`${mocha} is missing: run npm install in ${checkout}`);
    process.exit(2);
  }

  const emulator = await startCiEmulator({
    port: 0,
    buckets: [BUCKET],
    region: REGION,
    credentials: [EMULATOR_DEV_CREDENTIALS, STS_KEY],
    // COS answers no CORS headers to a bucket without a CORS configuration (the suite checks it).
    defaultCors: 'none',
    logger: { log: () => undefined, error: (message) => console.error(message) },
  });
  // The suite's own server (its `nodejssdkStsUrl`): `/sts` hands out a temporary key, `/uploadSign` a signature
  // for one PutObject of `1.txt` (the only object the suite's getSignCOS writes; it then expects a multipart
  // upload signed with it to fail).
  const sts = createServer((req, res) => {
    const now = Math.floor(Date.now() / 1000);
    const putObject = createCosAuthorization({
      secretId: EMULATOR_DEV_CREDENTIALS.secretId,
      secretKey: EMULATOR_DEV_CREDENTIALS.secretKey,
      method: 'PUT',
      pathname: '/1.txt',
      headers: { host: `${BUCKET}.cos.${REGION}.myqcloud.com` },
    });
    res.setHeader('Content-Type', 'application/json');
    res.end(
      JSON.stringify(
        req.url?.startsWith('/uploadSign')
          ? { signMap: { PutObject: putObject } }
          : {
              credentials: {
                tmpSecretId: STS_KEY.secretId,
                tmpSecretKey: STS_KEY.secretKey,
                sessionToken: STS_KEY.securityToken,
              },
              startTime: now,
              expiredTime: now + 3600,
            },
      ),
    );
  });
  await new Promise<void>((done) => sts.listen(0, '127.0.0.1', done));
  const stsUrl = `http://127.0.0.1:${(sts.address() as AddressInfo).port}`;
  const work = mkdtempSync(join(tmpdir(), 'sdk-suite-'));
  const report = join(work, 'report.xml');

  const args = [
    mocha,
    '--require',
    join(__dirname, '..', 'support', 'register-ts.js'),
    '--require',
    join(__dirname, 'sdk-preload.ts'),
    '--reporter',
    'xunit',
    '--reporter-options',
    `output=${report}`,
    ...(values.grep ? ['--grep', values.grep] : []),
    'test/test.js',
  ];
  const started = Date.now();
  const code = await new Promise<number | null>((done) => {
    const child = spawn(process.execPath, args, {
      cwd: checkout,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: {
        ...process.env,
        SecretId: EMULATOR_DEV_CREDENTIALS.secretId,
        SecretKey: EMULATOR_DEV_CREDENTIALS.secretKey,
        Bucket: BUCKET,
        Region: REGION,
        Uin: '100000000001',
        nodejssdkStsUrl: stsUrl,
        SDK_SUITE_CHECKOUT: checkout,
        SDK_SUITE_EMULATOR: emulator.url,
        // The SDK keeps upload ids with `conf` under the user's config directory: keep it in the temp folder.
        XDG_CONFIG_HOME: work,
        HOME: work,
      },
    });
    child.on('exit', (status) => done(status));
  });
  await emulator.close();
  await new Promise<void>((done) => sts.close(() => done()));

  const outcomes = existsSync(report) ? parseReport(readFileSync(report, 'utf8')) : [];
  rmSync(work, { recursive: true, force: true });
  const failed = outcomes.filter((o) => o.failure !== undefined);
  const lines = failed.map((o) => `FAIL ${o.title}\n     ${(o.failure ?? '').split('\n')[0]}`);
  if (values.failures) writeFileSync(values.failures, lines.join('\n') + '\n');
  for (const line of lines) console.log(line);
  console.log(
    `sdk-suite: ${outcomes.length - failed.length} passed, ${failed.length} failed of ${outcomes.length} ` +
      `(mocha exit ${code}, ${Math.round((Date.now() - started) / 1000)} s)`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
