/**
 * `npm run test:live`: the conformance scenarios and the invariant sequences against a bucket, under a unique prefix
 * removed at the end (even on failure), with a report of what matched the corpus and what did not.
 *
 * Without COS_BUCKET it runs against an embedded emulator (as `.ci/run` does). A real bucket needs
 * COS_SECRET_ID, COS_SECRET_KEY, COS_BUCKET, COS_REGION (optional COS_SECURITY_TOKEN, COS_ENDPOINT, COS_BUCKET_2 for
 * rules with `bucket`, CI_LIVE_FILES_V2=1 to include files-v2 in the invariants) and the flag `--real`.
 * Options: `--sequences N` (default 8), `--seed N` (default 1919), `--report FILE` (default live-report.md).
 */
import { writeFileSync } from 'node:fs';
import COS from 'cos-nodejs-sdk-v5';
import fc from 'fast-check';
import { startCiEmulator, type CiEmulator } from '../../emulator';
import { CiClient, type CiProtocol } from '../../lib/client';
import { runCorpus, type ScenarioOutcome } from '../conformance/conformance.scenarios';
import { openTarget, type TargetConnection } from '../conformance/conformance.target';
import { largeJpeg, photoJpeg } from '../support/images';
import { invariantSequence } from '../invariants/invariant-model';
import { runInvariantSequence } from '../invariants/invariant-runner';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

interface Bucket {
  connection: TargetConnection & { endpoint: string };
  other?: string;
  /** Removes every object and open multipart upload under `prefix` in `bucket`. */
  clean(bucket: string, prefix: string): Promise<number>;
  protocols: CiProtocol[];
  invariantProtocols: CiProtocol[];
  faults?: CiEmulator['faults'];
  close(): Promise<void>;
  label: string;
}

async function embedded(): Promise<Bucket> {
  const emulator = await startCiEmulator({
    port: 0,
    buckets: ['livesource-1250000000', 'liveother-1250000000'],
    region: 'ap-guangzhou',
  });
  const connection = {
    bucket: 'livesource-1250000000',
    region: emulator.region,
    endpoint: emulator.url,
    credentials: emulator.credentials[0]!,
  };
  return {
    label: `embedded emulator ${emulator.url}`,
    connection,
    other: 'liveother-1250000000',
    protocols: ['cos-v5', 'files-v2'],
    invariantProtocols: ['cos-v5', 'files-v2'],
    faults: emulator.faults,
    clean: async (bucket, prefix) => {
      const client = new CiClient({ ...connection, bucket });
      try {
        const keys = emulator.listObjects(bucket, prefix).map((o) => o.key);
        await Promise.all(keys.map((k) => client.deleteObject(k)));
        for (const u of await client.listMultipartUploads(prefix))
          await client.abortMultipartUpload(u.key, u.uploadId);
        return keys.length;
      } finally {
        await client.close();
      }
    },
    close: () => emulator.close(),
  };
}

function real(env: NodeJS.ProcessEnv): Bucket {
  const bucket = env.COS_BUCKET!;
  const region = env.COS_REGION!;
  const credentials = {
    secretId: env.COS_SECRET_ID!,
    secretKey: env.COS_SECRET_KEY!,
    ...(env.COS_SECURITY_TOKEN ? { securityToken: env.COS_SECURITY_TOKEN } : {}),
  };
  const endpoint = env.COS_ENDPOINT ?? `https://${bucket}.cos.${region}.myqcloud.com`;
  const cos = new COS({
    SecretId: credentials.secretId,
    SecretKey: credentials.secretKey,
    SecurityToken: credentials.securityToken,
  });
  return {
    label: `real bucket ${bucket} (${region})`,
    connection: { bucket, region, endpoint, credentials },
    other: env.COS_BUCKET_2,
    protocols: ['cos-v5'],
    invariantProtocols: env.CI_LIVE_FILES_V2 === '1' ? ['cos-v5', 'files-v2'] : ['cos-v5'],
    clean: async (name, prefix) => {
      let removed = 0;
      let marker: string | undefined;
      for (;;) {
        const page = await cos.getBucket({
          Bucket: name,
          Region: region,
          Prefix: prefix,
          Marker: marker,
          MaxKeys: 1000,
        });
        const keys = page.Contents.map((c) => ({ Key: c.Key }));
        if (keys.length) await cos.deleteMultipleObject({ Bucket: name, Region: region, Objects: keys });
        removed += keys.length;
        if (page.IsTruncated !== 'true' || !page.NextMarker) break;
        marker = page.NextMarker;
      }
      const client = new CiClient({ bucket: name, region, credentials, endpoint: env.COS_ENDPOINT });
      try {
        for (const u of await client.listMultipartUploads(prefix))
          await client.abortMultipartUpload(u.key, u.uploadId);
      } finally {
        await client.close();
      }
      return removed;
    },
    close: async () => undefined,
  };
}

function corpusSection(outcomes: ScenarioOutcome[]): string[] {
  const lines = ['## Conformance corpus', '', '| fixture | result | details |', '| --- | --- | --- |'];
  for (const o of outcomes) {
    const result = o.skipped ? 'skipped' : o.ok ? 'matched' : 'DIFFERS';
    const details = o.skipped
      ? o.skipped
      : [
          ...(o.difference?.missing.length ? [`missing: ${o.difference.missing.join(', ')}`] : []),
          ...(o.difference?.types.length ? [`types: ${o.difference.types.join('; ')}`] : []),
          ...o.mismatches,
          ...(o.difference?.extra.length ? [`extra (informative): ${o.difference.extra.join(', ')}`] : []),
        ].join('<br>');
    lines.push(`| ${o.id} | ${result} | ${details.replace(/\|/g, '\\|')} |`);
  }
  return lines;
}

async function main(): Promise<number> {
  const env = process.env;
  const wantsReal = Boolean(env.COS_BUCKET);
  if (wantsReal && !process.argv.includes('--real')) {
    process.stderr.write(
      'COS_BUCKET is set: this would run against a real bucket (billable requests and CI processing). ' +
        'Pass --real to do so (npm run test:live -- --real), or unset COS_BUCKET for the embedded emulator.\n',
    );
    return 2;
  }
  if (wantsReal && !(env.COS_SECRET_ID && env.COS_SECRET_KEY && env.COS_REGION)) {
    process.stderr.write('a real bucket needs COS_SECRET_ID, COS_SECRET_KEY, COS_BUCKET and COS_REGION\n');
    return 2;
  }
  const sequences = Number(arg('sequences', '8'));
  const seed = Number(arg('seed', '1919'));
  const reportFile = arg('report', 'live-report.md');
  const bucket = wantsReal ? real(env) : await embedded();
  const open = await openTarget(bucket.connection, bucket.protocols);
  const prefix = open.target.prefix;
  const report = [`# Live suite: ${bucket.label}`, '', `Prefix \`${prefix}\`, seed ${seed}.`, ''];
  let failures = 0;
  try {
    const outcomes = await runCorpus(open.target, open.recorder);
    failures += outcomes.filter((o) => !o.ok).length;
    report.push(...corpusSection(outcomes), '');
    const images = { small: await photoJpeg(96, 64), large: await largeJpeg(1.2) };
    const world = {
      source: bucket.connection.bucket,
      other: bucket.other,
      connection: bucket.connection,
      faults: bucket.faults,
      prefix: `${prefix}inv/`,
      images,
    };
    const samples = fc.sample(
      invariantSequence(Boolean(bucket.faults), Boolean(bucket.other), 3, bucket.invariantProtocols),
      { seed, numRuns: sequences },
    );
    report.push('## Invariant sequences', '');
    let steps = 0;
    for (const [i, sequence] of samples.entries()) {
      const outcome = await runInvariantSequence(world, sequence, i);
      steps += outcome.steps;
      if (outcome.violations.length) {
        failures++;
        report.push(
          `- sequence ${i} VIOLATED: ${outcome.violations.join('; ')}`,
          `  \`${JSON.stringify(sequence)}\``,
        );
      }
    }
    report.push(
      `- ${samples.length} sequences, ${steps} steps, ${failures ? 'see above' : 'no violation'}`,
      '',
    );
  } catch (error) {
    failures++;
    report.push(`The run failed: ${(error as Error).stack ?? String(error)}`, '');
  } finally {
    const removed: string[] = [];
    for (const name of [bucket.connection.bucket, bucket.other].filter((b): b is string => !!b)) {
      try {
        removed.push(`${name}: ${await bucket.clean(name, prefix)} objects`);
      } catch (error) {
        failures++;
        removed.push(`${name}: clean-up FAILED (${(error as Error).message}); remove ${prefix} by hand`);
      }
    }
    report.push('## Clean-up', '', `Removed everything under \`${prefix}\`: ${removed.join(', ')}.`, '');
    await open.close();
    await bucket.close();
    writeFileSync(reportFile, report.join('\n'));
    process.stdout.write(`${report.join('\n')}\nreport written to ${reportFile}\n`);
  }
  return failures ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
