import { CiProtocolError } from '../../core/errors';
import {
  parseCompleteMultipartUploadResult,
  parseCosError,
  parseInitiateMultipartUploadResult,
  parseListMultipartUploadsResult,
  parseUploadResult,
} from './xml';

// Shaped as the doc example in protocol.md 1.2 and cos-go-sdk-v5 ci_test.go.
const uploadResult = (objects: string) => `<?xml version="1.0" encoding="UTF-8"?>
<UploadResult>
  <OriginalInfo>
    <Key>test.jpg</Key>
    <Location>examplebucket-1250000000.cos.ap-chongqing.myqcloud.com/test.jpg</Location>
    <ImageInfo><Format>JPEG</Format><Width>640</Width><Height>427</Height><Quality>100</Quality><Ave>0xa08162</Ave><Orientation>0</Orientation></ImageInfo>
    <ETag>&quot;ff9ff2e5b3e6a1d8b1bd1cea3e6a8b0b&quot;</ETag>
  </OriginalInfo>
  <ProcessResults>${objects}</ProcessResults>
</UploadResult>`;
const object = (key: string) =>
  `<Object><Key>${key}</Key><Location>examplebucket-1250000000.cos.ap-chongqing.myqcloud.com/${key}</Location><Format>png</Format><Width>640</Width><Height>427</Height><Size>3913</Size><Quality>100</Quality><ETag>"8894dbe5e3ebfaf761e39b9d619c28f3"</ETag></Object>`;

describe('parseUploadResult', () => {
  it('types numbers, strips ETag quotes and makes a single Object an array', () => {
    const info = parseUploadResult(uploadResult(object('test.png')));
    expect(info.originalInfo).toEqual({
      key: 'test.jpg',
      location: 'examplebucket-1250000000.cos.ap-chongqing.myqcloud.com/test.jpg',
      etag: 'ff9ff2e5b3e6a1d8b1bd1cea3e6a8b0b',
      format: 'JPEG',
      width: 640,
      height: 427,
      quality: 100,
      ave: '0xa08162',
      // Orientation as sent: 0 stays 0.
      orientation: 0,
      raw: {},
    });
    expect(info.processResults).toEqual([
      {
        key: 'test.png',
        location: 'examplebucket-1250000000.cos.ap-chongqing.myqcloud.com/test.png',
        bucket: 'examplebucket-1250000000',
        // Upper case, as CI documents it, whatever case arrives.
        format: 'PNG',
        width: 640,
        height: 427,
        size: 3913,
        quality: 100,
        etag: '8894dbe5e3ebfaf761e39b9d619c28f3',
        raw: {},
      },
    ]);
  });

  it('keeps every element it does not name in raw, on the original and on each result', () => {
    const info = parseUploadResult(`<UploadResult>
      <OriginalInfo>
        <Key>qr.jpg</Key><Location>b-1250000000.cos.ap-guangzhou.myqcloud.com/qr.jpg</Location><ETag>"e1"</ETag>
        <ImageInfo><Format>JPEG</Format><Width>10</Width><Height>20</Height><FrameCount>1</FrameCount><Exif>yes</Exif></ImageInfo>
        <NewOriginalField>x</NewOriginalField>
      </OriginalInfo>
      <ProcessResults><Object>
        <Key>qr-out.jpg</Key><Bucket>other-1250000000</Bucket><Format>jpg</Format><Md5>abc</Md5>
        <WatermarkStatus>1</WatermarkStatus><CodeStatus>1</CodeStatus>
        <QRcodeInfo><CodeUrl>https://example.com</CodeUrl><CodeLocation><Point>1,2</Point></CodeLocation></QRcodeInfo>
      </Object></ProcessResults>
    </UploadResult>`);
    expect(info.originalInfo).toEqual({
      key: 'qr.jpg',
      location: 'b-1250000000.cos.ap-guangzhou.myqcloud.com/qr.jpg',
      etag: 'e1',
      format: 'JPEG',
      width: 10,
      height: 20,
      frameCount: 1,
      raw: { NewOriginalField: 'x', Exif: 'yes' },
    });
    expect(info.processResults).toEqual([
      {
        key: 'qr-out.jpg',
        bucket: 'other-1250000000',
        format: 'JPG',
        md5: 'abc',
        watermarkStatus: 1,
        raw: {
          CodeStatus: '1',
          QRcodeInfo: { CodeUrl: 'https://example.com', CodeLocation: { Point: '1,2' } },
        },
      },
    ]);
  });

  it('keeps where the original is when is_pic_info was 0 (no ImageInfo)', () => {
    const info = parseUploadResult(`<UploadResult><OriginalInfo><Key>a.jpg</Key>
      <Location>b-1250000000.cos.ap-guangzhou.myqcloud.com/a.jpg</Location><ETag>"e2"</ETag></OriginalInfo>
      <ProcessResults></ProcessResults></UploadResult>`);
    expect(info.originalInfo).toEqual({
      key: 'a.jpg',
      location: 'b-1250000000.cos.ap-guangzhou.myqcloud.com/a.jpg',
      etag: 'e2',
      raw: {},
    });
  });

  it('keeps two Objects as an array in rule order, and keys that look like numbers as strings', () => {
    const info = parseUploadResult(uploadResult(object('0123') + object('1e5')));
    expect(info.processResults.map((r) => r.key)).toEqual(['0123', '1e5']);
  });

  it('gives an empty array when there are no ProcessResults and no originalInfo when not asked', () => {
    const info = parseUploadResult('<UploadResult><ProcessResults></ProcessResults></UploadResult>');
    expect(info).toEqual({ processResults: [] });
  });

  it('throws CiProtocolError on malformed XML or a missing root', () => {
    expect(() => parseUploadResult('<UploadResult><Process')).toThrow(CiProtocolError);
    expect(() => parseUploadResult('<Other/>')).toThrow(/UploadResult/);
  });
});

describe('parseCompleteMultipartUploadResult', () => {
  it('rebuilds originalInfo from the siblings of ImageInfo', () => {
    const r = parseCompleteMultipartUploadResult(`<CompleteMultipartUploadResult>
      <Location>examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/big.jpg</Location>
      <Bucket>examplebucket-1250000000</Bucket><Key>big.jpg</Key><ETag>"abc-3"</ETag>
      <ImageInfo><Format>JPEG</Format><Width>4000</Width><Height>3000</Height><Quality>90</Quality><Ave>0x101010</Ave><Orientation>6</Orientation></ImageInfo>
      <ProcessResults>${object('big-200.webp')}</ProcessResults>
    </CompleteMultipartUploadResult>`);
    expect(r.etag).toBe('abc-3');
    expect(r.imageInfo.originalInfo).toMatchObject({
      key: 'big.jpg',
      width: 4000,
      orientation: 6,
      etag: 'abc-3',
    });
    expect(r.imageInfo.processResults).toHaveLength(1);
  });
});

describe('other documents', () => {
  it('reads the upload id of Initiate', () => {
    expect(
      parseInitiateMultipartUploadResult(
        '<InitiateMultipartUploadResult><Bucket>b-1</Bucket><Key>k</Key><UploadId>1585130821cbb7df1d</UploadId></InitiateMultipartUploadResult>',
      ).uploadId,
    ).toBe('1585130821cbb7df1d');
    expect(() => parseInitiateMultipartUploadResult('<InitiateMultipartUploadResult/>')).toThrow(
      CiProtocolError,
    );
  });

  it('lists multipart uploads', () => {
    const r = parseListMultipartUploadsResult(
      '<ListMultipartUploadsResult><IsTruncated>false</IsTruncated><Upload><Key>a</Key><UploadId>1</UploadId></Upload></ListMultipartUploadsResult>',
    );
    expect(r.uploads).toEqual([{ key: 'a', uploadId: '1', initiated: undefined }]);
  });

  it('parses the Error envelope, and refuses what is not one', () => {
    expect(
      parseCosError(
        '<?xml version="1.0"?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Resource>b.cos/x</Resource><RequestId>NjA=</RequestId><TraceId>OGVm</TraceId></Error>',
      ),
    ).toEqual({
      code: 'NoSuchKey',
      message: 'The specified key does not exist.',
      resource: 'b.cos/x',
      requestId: 'NjA=',
      traceId: 'OGVm',
    });
    expect(parseCosError('<html>502 Bad Gateway</html>')).toBeUndefined();
    expect(parseCosError('')).toBeUndefined();
  });
});
