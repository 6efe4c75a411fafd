/**
 * The seed's files-v2 samples ("Processing upon Upload" and "Cloud Data Processing", Example sections), verbatim.
 * The seed's sample answers have a trailing comma after `"quality":100,` and lack the envelope's closing brace; the
 * comma is kept (the parser tolerates it, as CI's sample shows it), the brace is restored.
 */
import { buildPicOperations } from '../../../lib/core/pic-operations';
import type { AnswerFixture, RequestFixture } from '../conformance.types';

const SEED = {
  title: 'seed: Processing upon Upload / Cloud Data Processing (Example, Return tables)',
  where: '/work/shared/seed/ci-processing-on-upload.md',
};

const SEED_PIC_OPERATIONS =
  '{"is_pic_info":1,"rules":[{"fileid":"test1.png","rule":"imageView2/format/png"}]}';

const ORIGINAL_INFO = `      "original_info":
      {
       "format": "JPEG",
        "height": 200,
        "width": 50,
        "ave": "0xa18432",
                 "orientation":1,
                 "quality":100
      },`;

const PROCESS_RESULTS = `  "process_results":
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
]`;

const EXPECTED_ORIGINAL = {
  format: 'JPEG',
  width: 50,
  height: 200,
  ave: '0xa18432',
  orientation: 1,
  quality: 100,
};
const EXPECTED_OUTPUT = {
  key: 'test1.png',
  fileId: 'test1.png',
  format: 'PNG',
  width: 200,
  height: 50,
  size: 100200,
  quality: 100,
  resourcePath: '/appid/bucket/test1.png',
  vid: 'value',
};
/** Paths (array elements merged) the tables do not list: a scenario answer may lack them. */
const OPTIONAL = { 'data.image_info.process_results.vid': 'in the sample answer, not in the Return tables' };

/** The seed's answers. */
export const SEED_ANSWERS: AnswerFixture[] = [
  {
    id: 'seed-files-v2-upload',
    sources: [SEED],
    protocol: 'files-v2',
    call: 'upload',
    key: 'sample_file.jpg',
    picOperations: SEED_PIC_OPERATIONS,
    answer: {
      status: 200,
      contentType: 'application/json',
      body: `{
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
${ORIGINAL_INFO}
${PROCESS_RESULTS}
}
}
}`,
    },
    expected: {
      requestId: 'NTlhNDBhZGVfOTYyMjViNjRfMTc3Ml8yYWQ5NWU=',
      resourcePath: '/appid/bucket/sample_file.jpg',
      accessUrl: 'http://bucket-appid.file.myqcloud.com/sample_file.jpg',
      timecost: 500,
      imageInfo: { originalInfo: EXPECTED_ORIGINAL, processResults: [EXPECTED_OUTPUT] },
    },
    optional: OPTIONAL,
  },
  {
    id: 'seed-files-v2-image-process',
    sources: [SEED],
    protocol: 'files-v2',
    call: 'process',
    key: 'sample_file.jpg',
    picOperations: SEED_PIC_OPERATIONS,
    answer: {
      status: 200,
      contentType: 'application/json',
      body: ` {
"code":0,
"message":"SUCCESS",
"request_id":"NTlhNDBhZGVfOTYyMjViNjRfMTc3Ml8yYWQ5NWU=",
"data":
{
"timecost":500,
"image_info":
{
${ORIGINAL_INFO}
${PROCESS_RESULTS}
}
}
}`,
    },
    expected: {
      requestId: 'NTlhNDBhZGVfOTYyMjViNjRfMTc3Ml8yYWQ5NWU=',
      timecost: 500,
      imageInfo: { originalInfo: EXPECTED_ORIGINAL, processResults: [EXPECTED_OUTPUT] },
    },
    optional: OPTIONAL,
  },
];

/** The seed's request header. */
export const SEED_REQUESTS: RequestFixture[] = [
  {
    id: 'seed-pic-operations-header',
    sources: [SEED],
    documented: SEED_PIC_OPERATIONS,
    built: () =>
      buildPicOperations({
        isPicInfo: true,
        rules: [{ fileid: 'test1.png', rule: 'imageView2/format/png' }],
      }),
    compare: 'exact',
  },
];
