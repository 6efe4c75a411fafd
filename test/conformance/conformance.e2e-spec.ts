/**
 * The conformance corpus (test/conformance/corpus): requests and answers from sources this project did not write,
 * each fixture naming its source. Held twice: the real client turns each documented answer (served by a loopback
 * server) into the documented result; the emulator, sent the same request, answers with the same shape.
 */
import { CiClient, type CiProtocol } from '../../lib/client';
import { isCiResponseError } from '../../lib/core/errors';
import { ciErrorResponse } from '../../lib/upload';
import { startRecordingServer, type RecordingServer } from '../support/recording-server';
import { conformanceImages, startEmulatorTarget, type OpenTarget } from './conformance.target';
import { runAnswerScenario, runErrorScenario } from './conformance.scenarios';
import type { AnswerFixture, ErrorFixture } from './conformance.types';
import { ANSWER_FIXTURES, ERROR_FIXTURES, REQUEST_FIXTURES } from './corpus';

const ALL = [...ANSWER_FIXTURES, ...ERROR_FIXTURES, ...REQUEST_FIXTURES];

describe('the corpus', () => {
  it('holds at least 30 fixtures, each naming where it comes from', () => {
    expect(ALL.length).toBeGreaterThanOrEqual(30);
    expect(new Set(ALL.map((f) => f.id)).size).toBe(ALL.length);
    for (const f of ALL) {
      expect(f.sources.length).toBeGreaterThan(0);
      for (const s of f.sources) expect(s).toEqual({ title: expect.any(String), where: expect.any(String) });
    }
  });
});

describe('requests: the package writes what the sources show', () => {
  it.each(REQUEST_FIXTURES.map((f) => [f.id, f] as const))('%s', (_id, f) => {
    const built = f.built();
    if (f.compare === 'exact') expect(built).toBe(f.documented);
    else expect(JSON.parse(built)).toEqual(JSON.parse(f.documented));
  });
});

describe('client: each documented answer becomes the documented result', () => {
  let served: { status: number; contentType: string; body: string } | undefined;
  let server: RecordingServer;
  let images: Awaited<ReturnType<typeof conformanceImages>>;
  const client = (protocol: CiProtocol) =>
    new CiClient({
      protocol,
      bucket: 'examplebucket-1250000000',
      region: 'ap-guangzhou',
      endpoint: server.url,
      credentials: { secretId: 'AKIDconformance', secretKey: 'conformance-secret' },
      insertOnly: false,
      retry: { retries: 1, minDelayMs: 1, maxDelayMs: 5 },
    });

  beforeAll(async () => {
    images = await conformanceImages();
    server = await startRecordingServer((_req, res) => {
      res.writeHead(served!.status, { 'content-type': served!.contentType });
      res.end(served!.body);
    });
  });
  afterAll(() => server.close());

  it.each(ANSWER_FIXTURES.map((f) => [f.id, f] as const))('%s', async (_id, f: AnswerFixture) => {
    served = f.answer;
    const c = client(f.protocol);
    try {
      const result =
        f.call === 'upload'
          ? await c.putObject(f.key, images.jpeg, { picOperations: f.picOperations })
          : f.call === 'process'
            ? await c.processObject(f.key, f.picOperations!)
            : f.call === 'imageInfo'
              ? await c.imageInfo(f.key)
              : await c.imageAve(f.key);
      expect(result).toMatchObject(f.expected);
    } finally {
      await c.close();
    }
  });

  it.each(ERROR_FIXTURES.map((f) => [f.id, f] as const))('%s', async (_id, f: ErrorFixture) => {
    served = f.answer;
    const c = client(f.protocol);
    let error: unknown;
    try {
      await c.processObject('exampleobject', '{"rules":[{"fileid":"a.png","rule":"imageMogr2/format/png"}]}');
    } catch (e) {
      error = e;
    } finally {
      await c.close();
    }
    expect(isCiResponseError(error)).toBe(true);
    expect(error).toMatchObject(f.expected);
    expect(ciErrorResponse(error)).toMatchObject({ statusCode: f.moduleStatus, ciCode: f.expected.ciCode });
  });
});

describe('emulator: the same request gets an answer of the documented shape', () => {
  let open: OpenTarget;
  beforeAll(async () => {
    open = await startEmulatorTarget();
  });
  afterAll(() => open.close());

  it.each(ANSWER_FIXTURES.map((f) => [f.id, f] as const))('%s', async (_id, f) => {
    const outcome = await runAnswerScenario(f, open.target, open.recorder);
    expect({ id: outcome.id, difference: outcome.difference, mismatches: outcome.mismatches }).toEqual({
      id: f.id,
      difference: expect.objectContaining({ missing: [], types: [] }),
      mismatches: [],
    });
  });

  const provoked = ERROR_FIXTURES.filter((f) => f.provoke);
  it.each(provoked.map((f) => [f.id, f] as const))('%s', async (_id, f) => {
    const outcome = await runErrorScenario(f, open.target, open.recorder);
    expect({ id: outcome.id, difference: outcome.difference, mismatches: outcome.mismatches }).toEqual({
      id: f.id,
      difference: expect.objectContaining({ missing: [], types: [] }),
      mismatches: [],
    });
  });
});
