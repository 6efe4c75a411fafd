import { CiProtocolError, CiResponseError, isCiResponseError } from '../../core/errors';
import { parseFilesV2Envelope, parseSliceInitResult, toFilesV2Result } from './envelope';

// Verbatim from the seed (ci-processing-on-upload.md), whitespace included. Both samples have a trailing comma
// after "quality":100 and lack the closing brace of the root object (three objects open, two closed).
const SEED_UPLOAD_RESPONSE = `{
"code":0,
"message":"SUCCESS",
"request_id":"NTlhNDBhZGVfOTYyMjViNjRfMTc3Ml8yYWQ5NWU=",
"data":
{
"access_url":"http://bucket-appid.file.myqcloud.com/sample_file.jpg",
"resource_path":"/appid/bucket/sample_file.jpg",
"source_url":"http://bucket-appid.cosgz.myqcloud.com /sample_file.jpg",
"url":"http://gz.file.myqcloud.com/files/v2/appid/bucket/sample_file.jpg",
"timecost":500,
"image_info":
{
      "original_info":
      {
       "format": "JPEG",
        "height": 200,
        "width": 50,
        "ave": "0xa18432",
                 "orientation":1,
                 "quality":100
      },
  "process_results":
  [ 
{
    "access_url":"http://bucket-appid.file.myqcloud.com/test1.png",
"resource_path":"/appid/bucket/test1.png",
"source_url":"http://bucket-appid.cosgz.myqcloud.com/test1.png",
"url":"http://gz.file.myqcloud.com/files/v2/appid/bucket/test1.png",
"vid":"value",
"file_id":"test1.png",
"format":"PNG",
"height":50,
"width":200,
"size":100200,
"quality":100,
}
]
}
}`;

const SEED_PROCESS_RESPONSE = ` {
"code":0,
"message":"SUCCESS",
"request_id":"NTlhNDBhZGVfOTYyMjViNjRfMTc3Ml8yYWQ5NWU=",
"data":
{
"timecost":500,
"image_info":
{
      "original_info":
      {
       "format": "JPEG",
        "height": 200,
        "width": 50,
        "ave": "0xa18432",
                 "orientation":1,
                 "quality":100
      },
  "process_results":
  [ 
{
    "access_url":"http://bucket-appid.file.myqcloud.com/test1.png",
"resource_path":"/appid/bucket/test1.png",
"source_url":"http://bucket-appid.cosgz.myqcloud.com/test1.png",
"url":"http://gz.file.myqcloud.com/files/v2/appid/bucket/test1.png",
"vid":"value",
"file_id":"test1.png",
"format":"PNG",
"height":50,
"width":200,
"size":100200,
"quality":100,
}
]
}
}`;

const PROCESS_RESULT = {
  key: 'test1.png',
  fileId: 'test1.png',
  format: 'PNG',
  width: 200,
  height: 50,
  size: 100200,
  quality: 100,
  accessUrl: 'http://bucket-appid.file.myqcloud.com/test1.png',
  sourceUrl: 'http://bucket-appid.cosgz.myqcloud.com/test1.png',
  resourcePath: '/appid/bucket/test1.png',
  url: 'http://gz.file.myqcloud.com/files/v2/appid/bucket/test1.png',
  vid: 'value',
  raw: {},
};
const ORIGINAL_INFO = {
  format: 'JPEG',
  width: 50,
  height: 200,
  ave: '0xa18432',
  orientation: 1,
  quality: 100,
  raw: {},
};

/** Runs `fn` and returns what it threw. */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

describe('parseFilesV2Envelope + toFilesV2Result on the seed answers', () => {
  it('refuses the samples exactly as printed: the root object is never closed (truncated JSON is not repaired)', () => {
    for (const text of [SEED_UPLOAD_RESPONSE, SEED_PROCESS_RESPONSE]) {
      expect(() => JSON.parse(text)).toThrow(SyntaxError);
      expect(thrown(() => parseFilesV2Envelope(text, 200))).toBeInstanceOf(CiProtocolError);
    }
  });

  it('reads the upload answer (its closing brace restored, trailing comma tolerated) into the typed result', () => {
    const text = SEED_UPLOAD_RESPONSE + '\n}';
    expect(() => JSON.parse(text)).toThrow(SyntaxError); // the trailing comma is really there
    const envelope = parseFilesV2Envelope(text, 200);
    expect(envelope.code).toBe(0);
    expect(envelope.message).toBe('SUCCESS');
    expect(envelope.requestId).toBe('NTlhNDBhZGVfOTYyMjViNjRfMTc3Ml8yYWQ5NWU=');
    expect(toFilesV2Result(envelope.data)).toEqual({
      accessUrl: 'http://bucket-appid.file.myqcloud.com/sample_file.jpg',
      resourcePath: '/appid/bucket/sample_file.jpg',
      sourceUrl: 'http://bucket-appid.cosgz.myqcloud.com /sample_file.jpg',
      url: 'http://gz.file.myqcloud.com/files/v2/appid/bucket/sample_file.jpg',
      timecost: 500,
      imageInfo: { originalInfo: ORIGINAL_INFO, processResults: [PROCESS_RESULT] },
    });
  });

  it('reads the image_process answer (its closing brace restored)', () => {
    const envelope = parseFilesV2Envelope(SEED_PROCESS_RESPONSE + '\n}', 200);
    expect(envelope.requestId).toBe('NTlhNDBhZGVfOTYyMjViNjRfMTc3Ml8yYWQ5NWU=');
    expect(toFilesV2Result(envelope.data)).toEqual({
      timecost: 500,
      imageInfo: { originalInfo: ORIGINAL_INFO, processResults: [PROCESS_RESULT] },
    });
  });
});

describe('parseFilesV2Envelope', () => {
  it('leaves commas inside strings alone when it repairs a trailing comma', () => {
    const envelope = parseFilesV2Envelope('{"code":0,"message":"a,} b,]\\",}","data":{"x":[1,2,],},}', 200);
    expect(envelope.message).toBe('a,} b,]",}');
    expect(envelope.data).toEqual({ x: [1, 2] });
    expect(parseFilesV2Envelope('{"code":0,"message":"ok,}"}', 200).message).toBe('ok,}');
  });

  it('throws CiResponseError for a non-zero code, with the HTTP status, code, message and request id', () => {
    const err = thrown(() =>
      parseFilesV2Envelope('{"code":-60998,"message":"invalid rule","request_id":"req-1"}', 400, {
        method: 'POST',
        path: '/files/v2/1250000000/bkt/a.jpg',
      }),
    );
    expect(err).toBeInstanceOf(CiResponseError);
    expect(err).toMatchObject({
      statusCode: 400,
      ciCode: '-60998',
      ciMessage: 'invalid rule',
      requestId: 'req-1',
      method: 'POST',
      path: '/files/v2/1250000000/bkt/a.jpg',
    });
    // Some answers fail with HTTP 200 and only the code says so.
    expect(thrown(() => parseFilesV2Envelope('{"code":-62999,"message":"bad image"}', 200))).toMatchObject({
      statusCode: 200,
      ciCode: '-62999',
    });
  });

  it('throws CiProtocolError for a 2xx body that is not the envelope', () => {
    for (const body of [
      '',
      '<html>ok</html>',
      '[1,2]',
      '{"message":"no code"}',
      '{"code":"abc"}',
      '{"code":1.5}',
    ]) {
      expect(thrown(() => parseFilesV2Envelope(body, 200))).toBeInstanceOf(CiProtocolError);
    }
  });

  it('throws CiResponseError carrying the status for a non-2xx body that is not JSON (a gateway page)', () => {
    const err = thrown(() => parseFilesV2Envelope('<html>502 Bad Gateway</html>', 502));
    expect(isCiResponseError(err)).toBe(true);
    expect(err).toMatchObject({ statusCode: 502, ciCode: '502' });
    expect(thrown(() => parseFilesV2Envelope('{"code":0,"message":"odd"}', 500))).toMatchObject({
      statusCode: 500,
      ciCode: '500',
      ciMessage: 'odd',
    });
  });

  it('accepts a numeric-string code and ignores a data that is not an object', () => {
    expect(parseFilesV2Envelope('{"code":"0","message":"SUCCESS","data":"x"}', 200)).toEqual({
      code: 0,
      message: 'SUCCESS',
      requestId: undefined,
      data: undefined,
    });
  });
});

describe('toFilesV2Result', () => {
  it('coerces numeric strings, strips a leading slash from file_id, and wraps a single result', () => {
    const result = toFilesV2Result({
      timecost: '12',
      image_info: {
        original_info: { format: 'png', width: '640', height: '480', ave: '0x000000', quality: '100' },
        process_results: {
          file_id: '/out/a.webp',
          format: 'webp',
          width: '320',
          height: '240',
          size: '999',
          quality: 75,
        },
      },
    });
    expect(result).toEqual({
      timecost: 12,
      imageInfo: {
        // No orientation was sent: it stays absent (no `|| 1`); formats take CI's documented upper case.
        originalInfo: { format: 'PNG', width: 640, height: 480, ave: '0x000000', quality: 100, raw: {} },
        processResults: [
          {
            key: 'out/a.webp',
            fileId: '/out/a.webp',
            format: 'WEBP',
            width: 320,
            height: 240,
            size: 999,
            quality: 75,
            raw: {},
          },
        ],
      },
    });
  });

  it('keeps every field it does not name in raw, orientation 0 as 0, and finds the output bucket', () => {
    const result = toFilesV2Result({
      image_info: {
        original_info: {
          format: 'jpeg',
          width: 10,
          height: 20,
          orientation: 0,
          frame_count: 1,
          exif: { Make: 'X' },
        },
        process_results: [
          {
            file_id: 'qr.png',
            format: 'png',
            resource_path: '/1250000000/photos/qr.png',
            md5: 'abc',
            watermark_status: 1,
            QRcodeInfo: [{ CodeUrl: 'https://example.com' }],
            CodeStatus: 1,
            new_field: 'tomorrow',
          },
        ],
      },
    });
    expect(result.imageInfo.originalInfo).toEqual({
      format: 'JPEG',
      width: 10,
      height: 20,
      orientation: 0,
      frameCount: 1,
      raw: { exif: { Make: 'X' } },
    });
    expect(result.imageInfo.processResults[0]).toEqual({
      key: 'qr.png',
      fileId: 'qr.png',
      bucket: 'photos-1250000000',
      format: 'PNG',
      resourcePath: '/1250000000/photos/qr.png',
      md5: 'abc',
      watermarkStatus: 1,
      raw: { QRcodeInfo: [{ CodeUrl: 'https://example.com' }], CodeStatus: 1, new_field: 'tomorrow' },
    });
  });

  it('gives an empty processResults and no originalInfo when there is no image_info', () => {
    expect(toFilesV2Result({ access_url: 'http://x/a.jpg' })).toEqual({
      accessUrl: 'http://x/a.jpg',
      imageInfo: { processResults: [] },
    });
    expect(toFilesV2Result(undefined)).toEqual({ imageInfo: { processResults: [] } });
    expect(() => toFilesV2Result('nope')).toThrow(CiProtocolError);
  });
});

describe('parseSliceInitResult', () => {
  it('reads session, slice_size, offset and serial_upload', () => {
    expect(
      parseSliceInitResult({ session: 's-1', slice_size: 1048576, offset: '0', serial_upload: 1 }),
    ).toEqual({
      complete: false,
      session: 's-1',
      sliceSize: 1048576,
      offset: 0,
      serialUpload: true,
    });
    expect(parseSliceInitResult({ session: 's-2' })).toEqual({
      complete: false,
      session: 's-2',
      serialUpload: false,
    });
  });

  it('reports a finished upload when the server already has the file (access_url, no session)', () => {
    expect(parseSliceInitResult({ access_url: 'http://x/a.jpg', resource_path: '/1/b/a.jpg' })).toEqual({
      complete: true,
      result: { accessUrl: 'http://x/a.jpg', resourcePath: '/1/b/a.jpg', imageInfo: { processResults: [] } },
    });
  });

  it('throws CiProtocolError without a session', () => {
    expect(() => parseSliceInitResult({ slice_size: 1 })).toThrow(CiProtocolError);
    expect(() => parseSliceInitResult(undefined)).toThrow(CiProtocolError);
  });
});
