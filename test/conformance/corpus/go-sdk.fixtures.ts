/**
 * The official Go SDK's own CI tests: the answers its test server sends and the results it expects
 * (`tencentyun/cos-go-sdk-v5` `ci_test.go` at cc9846d: TestCIService_ImageProcess, TestCIService_Put,
 * TestCIService_EncodePicOperations), and its Pic-Operations encoder (`ci.go` `EncodePicOperations`: `json.Marshal`).
 */
import { buildPicOperations } from '../../../lib/core/pic-operations';
import type { AnswerFixture, RequestFixture } from '../conformance.types';

const where = (test: string) => `tencentyun/cos-go-sdk-v5:ci_test.go@cc9846d ${test}`;

const UPLOAD_RESULT = `<UploadResult>
    <OriginalInfo>
        <Key>test.jpg</Key>
        <Location>example-1250000000.cos.ap-guangzhou.myqcloud.com/test.jpg</Location>
        <ETag>&quot;8894dbe5e3ebfaf761e39b9d619c28f3327b8d85&quot;</ETag>
        <ImageInfo>
            <Format>PNG</Format>
            <Width>103</Width>
            <Height>99</Height>
            <Quality>100</Quality>
            <Ave>0xa08162</Ave>
            <Orientation>0</Orientation>
        </ImageInfo>
    </OriginalInfo>
    <ProcessResults>
        <Object>
            <Key>format.jpg</Key>
            <Location>example-1250000000.cos.ap-guangzhou.myqcloud.com/format.jpg</Location>
            <Format>PNG</Format>
            <Width>103</Width>
            <Height>99</Height>
            <Size>21351</Size>
            <Quality>100</Quality>
            <ETag>&quot;8894dbe5e3ebfaf761e39b9d619c28f3327b8d85&quot;</ETag>
        </Object>
    </ProcessResults>
</UploadResult>`;

const PIC_OPERATIONS = '{"is_pic_info":1,"rules":[{"fileid":"format.jpg","rule":"imageView2/format/png"}]}';

// The Go test's `want`, in this package's types (ETag quotes stripped, numbers typed, bucket from Location).
const EXPECTED = {
  imageInfo: {
    originalInfo: {
      key: 'test.jpg',
      location: 'example-1250000000.cos.ap-guangzhou.myqcloud.com/test.jpg',
      etag: '8894dbe5e3ebfaf761e39b9d619c28f3327b8d85',
      format: 'PNG',
      width: 103,
      height: 99,
      quality: 100,
      ave: '0xa08162',
      orientation: 0,
    },
    processResults: [
      {
        key: 'format.jpg',
        bucket: 'example-1250000000',
        location: 'example-1250000000.cos.ap-guangzhou.myqcloud.com/format.jpg',
        format: 'PNG',
        width: 103,
        height: 99,
        size: 21351,
        quality: 100,
        etag: '8894dbe5e3ebfaf761e39b9d619c28f3327b8d85',
      },
    ],
  },
};

/** The Go SDK's answers. */
export const GO_SDK_ANSWERS: AnswerFixture[] = [
  {
    id: 'go-sdk-image-process',
    sources: [
      { title: 'cos-go-sdk-v5 TestCIService_ImageProcess', where: where('TestCIService_ImageProcess') },
    ],
    protocol: 'cos-v5',
    call: 'process',
    key: 'test.jpg',
    picOperations: PIC_OPERATIONS,
    answer: { status: 200, contentType: 'application/xml', body: UPLOAD_RESULT },
    expected: EXPECTED,
  },
  {
    id: 'go-sdk-put-with-pic-operations',
    sources: [{ title: 'cos-go-sdk-v5 TestCIService_Put', where: where('TestCIService_Put') }],
    protocol: 'cos-v5',
    call: 'upload',
    key: 'test.jpg',
    picOperations: PIC_OPERATIONS,
    answer: { status: 200, contentType: 'application/xml', body: UPLOAD_RESULT },
    expected: EXPECTED,
  },
];

/** The Go SDK's encoding of Pic-Operations. */
export const GO_SDK_REQUESTS: RequestFixture[] = [
  {
    id: 'go-sdk-encode-pic-operations',
    sources: [
      {
        title: 'cos-go-sdk-v5 TestCIService_EncodePicOperations',
        where: where('TestCIService_EncodePicOperations'),
      },
    ],
    documented: '{"is_pic_info":1,"rules":[{"fileid":"example.jpg","rule":"imageView2/format/png"}]}',
    built: () =>
      buildPicOperations({
        isPicInfo: true,
        rules: [{ fileid: 'example.jpg', rule: 'imageView2/format/png' }],
      }),
    compare: 'exact',
  },
  {
    id: 'go-sdk-non-ascii-fileid',
    sources: [
      {
        title: 'cos-go-sdk-v5 EncodePicOperations (json.Marshal writes non-ASCII as UTF-8)',
        where: 'tencentyun/cos-go-sdk-v5:ci.go@cc9846d EncodePicOperations',
      },
      {
        title: 'RFC 8259 section 7 (Strings): \\uXXXX escapes',
        where: 'https://www.rfc-editor.org/rfc/rfc8259#section-7',
      },
    ],
    // What json.Marshal gives for this value (UTF-8 text; it escapes only <, > and &).
    documented: '{"rules":[{"fileid":"缩略图/图.png","rule":"imageView2/format/png"}]}',
    built: () => buildPicOperations({ rules: [{ fileid: '缩略图/图.png', rule: 'imageView2/format/png' }] }),
    compare: 'json',
    disagreement:
      'The Go SDK sends the UTF-8 text, this package sends \\uXXXX escapes (Node cannot put characters above U+00FF ' +
      'in a header); both are the same JSON value, which is what CI parses (the seed: "a string in .json format").',
  },
];
