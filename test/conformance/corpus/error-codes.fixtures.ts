/**
 * Error answers. cos-v5: the envelope of COS's "Error Codes" page (`<Error>` with `Code`, `Message`, `Resource`,
 * `RequestId`, `TraceId`, https://cloud.tencent.com/document/api/436/7730), each code with the HTTP status Tencent's
 * own C++ COS client maps it to (`Tencent/flare:flare/net/cos/cos_status.cc@22452e4`, which copies 436/7730 and
 * requires all five elements). files-v2: the seed's envelope (`code`, `message`, `request_id`) with CI's numeric
 * persistent-processing codes (CI "Error Codes", https://cloud.tencent.com/document/product/460/8523).
 */
import { buildPicOperations } from '../../../lib/core/pic-operations';
import type { ConformanceSource, ConformanceTarget, ErrorFixture } from '../conformance.types';

const COS_ERRORS: ConformanceSource = {
  title: 'COS: Error Codes (error body)',
  where: 'https://cloud.tencent.com/document/api/436/7730',
};
const FLARE: ConformanceSource = {
  title: 'Tencent flare COS client: code to HTTP status',
  where: 'Tencent/flare:flare/net/cos/cos_status.cc@22452e4',
};
const CI_ERRORS: ConformanceSource = {
  title: 'Cloud Infinite: Error Codes (persistent processing)',
  where: 'https://cloud.tencent.com/document/product/460/8523',
};
const SEED: ConformanceSource = {
  title: 'seed: Return table (code, message, request_id)',
  where: '/work/shared/seed/ci-processing-on-upload.md',
};

const ENVELOPE_DISAGREEMENT =
  "CI's own error page (1045/43611) shows the envelope without <Resource>; flare requires it. This package reads " +
  'Code, Message and RequestId, and Resource and TraceId when present.';

const thumb = buildPicOperations({
  rules: [{ fileid: 'conformance-thumb.png', rule: 'imageMogr2/thumbnail/20x/format/png' }],
});

/** Stores a JPEG under the target's prefix and returns its key. */
async function stored(target: ConformanceTarget, protocol: 'cos-v5' | 'files-v2', name: string) {
  const key = `${target.prefix}${name}`;
  await target.client(protocol).putObject(key, target.images.jpeg, { insertOnly: false });
  return key;
}

function cosError(
  code: string,
  status: number,
  moduleStatus: number,
  provoke?: ErrorFixture['provoke'],
): ErrorFixture {
  return {
    id: `cos-error-${code}`,
    sources: [COS_ERRORS, FLARE],
    protocol: 'cos-v5',
    answer: {
      status,
      contentType: 'application/xml',
      body:
        `<?xml version="1.0" encoding="UTF-8"?>\n<Error>\n  <Code>${code}</Code>\n  <Message>${code} message</Message>\n` +
        '  <Resource>examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/exampleobject</Resource>\n' +
        '  <RequestId>NTk0MjdmODlfMjQ4OGY0XzYzYzhfMjc=</RequestId>\n' +
        '  <TraceId>OGVmYzZiMmQzYjA2OWNhODk0NTRkMTBiOWVmMDAxODc0OWRkZjk0ZDM1NmI1M2E2MTRlY2MzZDhmNmI5MWI1OTBjYjg=</TraceId>\n' +
        '</Error>',
    },
    expected: {
      statusCode: status,
      ciCode: code,
      requestId: 'NTk0MjdmODlfMjQ4OGY0XzYzYzhfMjc=',
      traceId: 'OGVmYzZiMmQzYjA2OWNhODk0NTRkMTBiOWVmMDAxODc0OWRkZjk0ZDM1NmI1M2E2MTRlY2MzZDhmNmI5MWI1OTBjYjg=',
      resource: 'examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/exampleobject',
    },
    moduleStatus,
    provoke,
    optional: { 'Error.Resource': ENVELOPE_DISAGREEMENT, 'Error.TraceId': ENVELOPE_DISAGREEMENT },
    disagreement: ENVELOPE_DISAGREEMENT,
  };
}

function filesV2Error(
  code: number,
  message: string,
  moduleStatus: number,
  provoke?: ErrorFixture['provoke'],
): ErrorFixture {
  return {
    id: `files-v2-error-${code}`,
    sources: [SEED, CI_ERRORS],
    protocol: 'files-v2',
    // The seed documents the envelope, not the HTTP status: 400 stands in for "an error status".
    answer: {
      status: 400,
      contentType: 'application/json',
      body: JSON.stringify({ code, message, request_id: 'NTlhNDBhZGVfOTYyMjViNjRfMTc3Ml8yYWQ5NWU=' }),
    },
    expected: {
      statusCode: 400,
      ciCode: String(code),
      requestId: 'NTlhNDBhZGVfOTYyMjViNjRfMTc3Ml8yYWQ5NWU=',
    },
    moduleStatus,
    provoke,
  };
}

/** The error corpus. */
export const ERROR_FIXTURES: ErrorFixture[] = [
  cosError('NoSuchKey', 404, 404, (t) => t.client('cos-v5').processObject(`${t.prefix}missing.jpg`, thumb)),
  cosError('NoSuchBucket', 404, 502, (t) =>
    t.client('cos-v5', { bucket: 'conformancenobucket-1250000000' }).processObject(`${t.prefix}a.jpg`, thumb),
  ),
  cosError('NoSuchUpload', 404, 502),
  cosError('AccessDenied', 403, 502),
  cosError('SignatureDoesNotMatch', 403, 502, (t) =>
    t.client('cos-v5', { secretKey: 'not-the-key' }).putObject(`${t.prefix}sig.jpg`, t.images.jpeg),
  ),
  cosError('InvalidAccessKeyId', 403, 502, (t) =>
    t.client('cos-v5', { secretId: 'AKIDconformanceunknown' }).putObject(`${t.prefix}ak.jpg`, t.images.jpeg),
  ),
  cosError('RequestTimeTooSkewed', 403, 502),
  cosError('NoProcessAuthority', 403, 502),
  cosError('InvalidImageFormat', 400, 422, (t) =>
    t.client('cos-v5').putObject(`${t.prefix}text.jpg`, t.images.text, { picOperations: thumb }),
  ),
  cosError('InvalidImageSource', 400, 422),
  cosError('ImageTooLarge', 400, 422),
  cosError('ImageResolutionExceed', 400, 422, (t) =>
    t.client('cos-v5').putObject(`${t.prefix}bomb.png`, t.images.pixelBomb, { picOperations: thumb }),
  ),
  cosError('InvalidPicOperations', 400, 502, async (t) =>
    t.client('cos-v5').processObject(await stored(t, 'cos-v5', 'src-bad-ops.jpg'), '{"rules":'),
  ),
  cosError('InvalidArgument', 400, 502),
  cosError('EntityTooLarge', 400, 422),
  cosError('ExpiredToken', 400, 502),
  cosError('InternalError', 500, 502),
  cosError('ServiceUnavailable', 503, 502),
  cosError('SlowDown', 503, 502),
  filesV2Error(-62999, 'invalid image format', 422, (t) =>
    t.client('files-v2').putObject(`${t.prefix}v2-text.jpg`, t.images.text, { picOperations: thumb }),
  ),
  filesV2Error(-60998, 'invalid processing parameter', 422, async (t) =>
    t
      .client('files-v2')
      .processObject(
        await stored(t, 'files-v2', 'v2-src-a.jpg'),
        '{"rules":[{"fileid":"x.png","rule":"imageMogr2/nonsense/1"}]}',
        { insertOnly: false },
      ),
  ),
  filesV2Error(-60997, 'too many rules', 502, async (t) =>
    t.client('files-v2').processObject(
      await stored(t, 'files-v2', 'v2-src-b.jpg'),
      JSON.stringify({
        rules: [1, 2, 3, 4, 5, 6].map((n) => ({ fileid: `r${n}.png`, rule: 'imageMogr2/format/png' })),
      }),
      { insertOnly: false },
    ),
  ),
  filesV2Error(-60996, 'file too large', 422),
  filesV2Error(-60967, 'style not found', 502, async (t) =>
    t
      .client('files-v2')
      .processObject(
        await stored(t, 'files-v2', 'v2-src-c.jpg'),
        '{"rules":[{"fileid":"x.png","rule":"style/none"}]}',
        {
          insertOnly: false,
        },
      ),
  ),
];
