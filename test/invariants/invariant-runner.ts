/**
 * Runs one invariant sequence through the shared upload pipeline (`CiUploader` for uploads, `CiService.process` for
 * cloud processing) on both protocols, with sentinel objects planted in every bucket at every key an operation could
 * name, then checks the invariants once everything settled.
 */
import { Readable } from 'node:stream';
import type { CiEmulatorFaults } from '../../emulator';
import { CiClient, type CiClientOptions, type CiProtocol } from '../../lib/client';
import { CiService } from '../../lib/nest/ci.service';
import {
  CiUploader,
  CiUploadTracker,
  compileProcessing,
  resolveCiModuleOptions,
  storedObjects,
} from '../../lib/upload';
import { HEADERS_MS, RECHECK_MS, type InvariantOp, type InvariantSequence } from './invariant-model';

/** Where sequences run: the buckets, how to reach them, and (emulator only) the fault injector. */
export interface InvariantWorld {
  source: string;
  /** A second bucket for rules with `bucket`; none: such operations are not generated. */
  other?: string;
  /** Connection of a client (bucket, region, endpoint, credentials). */
  connection: Omit<CiClientOptions, 'protocol' | 'insertOnly'>;
  faults?: CiEmulatorFaults;
  /** Every key of the run lives under this prefix. */
  prefix: string;
  images: { small: Buffer; large: Buffer };
}

/** An object in a known bucket. */
type Placed = { key: string; bucket: string };

interface Planted {
  bucket: string;
  key: string;
  bytes: Buffer;
}

interface Outcome {
  op: InvariantOp;
  /** What it would create: the original (uploads) and outputs, each in its bucket. */
  creates: Placed[];
  bytes: Buffer;
  ok: boolean;
  /** What a success reported. */
  reported?: Placed[];
  error?: unknown;
}

const silent = { log: () => undefined, warn: () => undefined, error: () => undefined };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(check: () => boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check() && Date.now() < until) await sleep(20);
}

/** Bytes of an object, or undefined when there is none. */
async function read(client: CiClient, key: string): Promise<Buffer | undefined> {
  try {
    const download = await client.getObject(key, {});
    const chunks: Buffer[] = [];
    for await (const c of download.body) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return undefined;
    throw err;
  }
}

/** Runs `sequence` (numbered `run`) and returns every invariant it broke (empty: none) and the steps it ran. */
export async function runInvariantSequence(
  world: InvariantWorld,
  sequence: InvariantSequence,
  run: number,
): Promise<{ violations: string[]; steps: number }> {
  const tracker = new CiUploadTracker();
  const clients: CiClient[] = [];
  const inspectors = new Map<string, CiClient>();
  const inspector = (bucket: string) => {
    let c = inspectors.get(bucket);
    if (!c) inspectors.set(bucket, (c = new CiClient({ ...world.connection, bucket })));
    return c;
  };
  const pipelines = new Map<string, { uploader: CiUploader; service: CiService }>();
  const pipeline = (protocol: CiProtocol, insertOnly: boolean) => {
    const id = `${protocol}/${insertOnly}`;
    let p = pipelines.get(id);
    if (!p) {
      const client = new CiClient({
        ...world.connection,
        protocol,
        insertOnly,
        timeouts: { headersMs: HEADERS_MS },
        retry: { retries: 2, minDelayMs: 1, maxDelayMs: 10 },
        upload: { multipartThreshold: 1024 * 1024, partSize: 1024 * 1024, partConcurrency: 2 },
      });
      clients.push(client);
      const options = resolveCiModuleOptions({
        ...world.connection,
        protocol,
        insertOnly,
        isPicInfo: false,
        unknownOutcomeRecheckMs: RECHECK_MS,
        logger: silent,
      });
      const uploader = new CiUploader({
        client,
        tracker,
        logger: silent,
        keyPrefix: 'inv',
        recheckMs: RECHECK_MS,
      });
      pipelines.set(id, (p = { uploader, service: new CiService(client, options, tracker, uploader) }));
    }
    return p;
  };
  const planted: Planted[] = [];
  const plant = async (bucket: string, key: string) => {
    const bytes = Buffer.from(`sentinel ${bucket}/${key} ${Math.random()}`);
    await inspector(bucket).putObject(key, bytes, { insertOnly: false });
    planted.push({ bucket, key, bytes });
  };
  const otherThan = (bucket: string) => (bucket === world.source ? world.other : world.source);
  const outcomes: Outcome[] = [];
  const violations: string[] = [];

  const runOp = async (op: InvariantOp, index: number, last: boolean): Promise<void> => {
    const base = `${world.prefix}r${run}/o${index}/`;
    const original = `${base}a.jpg`;
    const outputs = op.outputs.map((place, j) => ({
      key: `${base}a-${j}.png`,
      bucket: place === 'other' && world.other ? world.other : world.source,
    }));
    const bytes = op.size === 'large' ? world.images.large : world.images.small;
    const rules = outputs.map((o, j) => ({
      fileid: `a-${j}.png`,
      rule: 'imageMogr2/thumbnail/16x/format/png',
      ...(o.bucket !== world.source ? { bucket: o.bucket } : {}),
    }));
    const { uploader, service } = pipeline(op.protocol, op.insertOnly);
    const creates = [...(op.kind === 'upload' ? [{ key: original, bucket: world.source }] : []), ...outputs];
    // Sentinels: the same keys in the other bucket, and (collide) the original's own key.
    for (const o of [{ key: original, bucket: world.source }, ...outputs]) {
      const other = otherThan(o.bucket);
      if (other) await plant(other, o.key);
    }
    if (op.collide) await plant(world.source, original);
    if (op.kind === 'process') {
      // The source is the module's own upload, without faults.
      await uploader.upload({
        source: Readable.from([bytes]),
        field: 'file',
        index: 0,
        originalName: 'a.jpg',
        request: {},
        key: original,
        options: {
          processing: compileProcessing({}, { isPicInfo: false, styles: {}, strictRules: true }, 'source'),
        },
        allowedFormats: ['jpeg'],
        size: bytes.length,
      });
      outcomes.push({
        op,
        creates: [{ key: original, bucket: world.source }],
        bytes,
        ok: true,
        reported: [{ key: original, bucket: world.source }],
      });
    }
    const fault = op.fault;
    if (fault && world.faults)
      world.faults.add({ match: { operation: fault.operation }, action: fault.action });
    const outcome: Outcome = { op, creates, bytes, ok: false };
    outcomes.push(outcome);
    const call =
      op.kind === 'upload'
        ? uploader
            .upload({
              source: Readable.from([bytes]),
              field: 'file',
              index: 0,
              originalName: 'a.jpg',
              request: {},
              key: original,
              options: {
                processing: compileProcessing(
                  { rules },
                  { isPicInfo: false, styles: {}, strictRules: true },
                  'op',
                ),
              },
              allowedFormats: ['jpeg'],
              size: bytes.length,
            })
            .then((r) => storedObjects(r))
        : service
            .process(original, { rules, insertOnly: op.insertOnly })
            .then((r) => r.imageInfo.processResults.map((p) => ({ key: p.key, bucket: p.bucket })));
    const settled = call.then(
      (reported) => {
        outcome.ok = true;
        outcome.reported = reported.map((o) => ({ key: o.key, bucket: o.bucket ?? world.source }));
      },
      (error: unknown) => {
        outcome.error = error;
      },
    );
    if (last && sequence.shutdownDuringLast) {
      await sleep(30);
      await tracker.shutdown(5_000);
    }
    await settled;
    // A fault the operation did not reach must not hit the next one's fault-free steps.
    world.faults?.clear();
  };

  let steps = 0;
  try {
    for (const [i, op] of sequence.ops.entries()) {
      steps++;
      await runOp(op, i, i === sequence.ops.length - 1);
    }
    await waitFor(() => tracker.pendingChecks === 0, RECHECK_MS * 4 + 5_000);
    world.faults?.clear();
    // Sentinels: never deleted, never changed.
    for (const s of planted) {
      const now = await read(inspector(s.bucket), s.key);
      if (!now) violations.push(`sentinel ${s.bucket}/${s.key} was deleted`);
      else if (!now.equals(s.bytes)) violations.push(`sentinel ${s.bucket}/${s.key} was changed`);
    }
    const sentinelAt = (o: Placed) => planted.some((s) => s.bucket === o.bucket && s.key === o.key);
    for (const o of outcomes) {
      if (o.ok) {
        for (const r of o.reported ?? []) {
          const now = await read(inspector(r.bucket), r.key);
          if (!now) violations.push(`${o.op.kind} reported ${r.bucket}/${r.key}, which is missing`);
          else if (o.op.kind === 'upload' && r.key === o.creates[0]?.key && !now.equals(o.bytes)) {
            violations.push(`${r.bucket}/${r.key} does not hold the bytes sent`);
          }
        }
      } else {
        for (const c of o.creates) {
          if (sentinelAt(c)) continue;
          if (await read(inspector(c.bucket), c.key)) {
            violations.push(
              `a failed ${o.op.kind} left ${c.bucket}/${c.key} (${(o.error as Error)?.message ?? o.error})`,
            );
          }
        }
      }
    }
    for (const bucket of [world.source, world.other].filter((b): b is string => !!b)) {
      const open = (await inspector(bucket).listMultipartUploads(world.prefix)).map((u) => u.key);
      if (open.length) violations.push(`open multipart uploads in ${bucket}: ${open.join(', ')}`);
    }
  } finally {
    world.faults?.clear();
    await tracker.shutdown(5_000);
    await Promise.all([...clients, ...inspectors.values()].map((c) => c.close()));
  }
  return { violations, steps };
}
