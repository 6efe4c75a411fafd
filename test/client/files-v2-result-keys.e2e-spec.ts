/**
 * files-v2 output keys come from `resource_path`, which the seed's response tables define as "the relative
 * pathname of this file in COS, which can be used as its ID. Format: /<APPID>/<BucketName>/<ObjectName>"; `file_id`
 * is, in the seed's sample answer, the rule's own fileid (`"file_id":"test1.png"` for the rule
 * `{"fileid":"test1.png",...}`), not the resolved key. Source: the seed, "Processing upon Upload", Return tables
 * and Example (/work/shared/seed/ci-processing-on-upload.md).
 */
import { startCiEmulator, type CiEmulator } from '../../emulator';
import { CiClient } from '../../lib/client';
import { buildPicOperations } from '../../lib/core/pic-operations';
import { photoJpeg } from '../support/images';
import { startRecordingServer, type RecordingServer } from '../support/recording-server';

const bucket = 'bucket-1250000000';

describe('files-v2 output keys', () => {
  let server: RecordingServer;
  let emulator: CiEmulator;
  let image: Buffer;

  beforeAll(async () => {
    // The seed's sample answer, for an original stored in the folder `photos/` (a relative fileid is stored "in
    // the same directory as the original image file", so resource_path names photos/test1.png).
    server = await startRecordingServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          code: 0,
          message: 'SUCCESS',
          request_id: 'NTlhNDBhZGVfOTYyMjViNjRfMTc3Ml8yYWQ5NWU=',
          data: {
            access_url: 'http://bucket-1250000000.file.myqcloud.com/photos/sample_file.jpg',
            resource_path: '/1250000000/bucket/photos/sample_file.jpg',
            source_url: 'http://bucket-1250000000.cosgz.myqcloud.com/photos/sample_file.jpg',
            url: 'http://gz.file.myqcloud.com/files/v2/1250000000/bucket/photos/sample_file.jpg',
            timecost: 500,
            image_info: {
              process_results: [
                {
                  access_url: 'http://bucket-1250000000.file.myqcloud.com/photos/test1.png',
                  resource_path: '/1250000000/bucket/photos/test1.png',
                  source_url: 'http://bucket-1250000000.cosgz.myqcloud.com/photos/test1.png',
                  url: 'http://gz.file.myqcloud.com/files/v2/1250000000/bucket/photos/test1.png',
                  vid: 'value',
                  file_id: 'test1.png',
                  format: 'PNG',
                  height: 50,
                  width: 200,
                  size: 100200,
                  quality: 100,
                },
              ],
            },
          },
        }),
      );
    });
    emulator = await startCiEmulator({ port: 0, buckets: [bucket], region: 'ap-guangzhou' });
    image = await photoJpeg(64, 48);
  });
  afterAll(async () => {
    await server.close();
    await emulator.close();
  });

  const picOperations = buildPicOperations({
    rules: [{ fileid: 'test1.png', rule: 'imageView2/format/png' }],
  });

  it('the client takes the key from resource_path and keeps file_id as CI sent it', async () => {
    const client = new CiClient({
      protocol: 'files-v2',
      bucket,
      region: 'gz',
      endpoint: server.url,
      credentials: { secretId: 'AKIDexample', secretKey: 'secret' },
    });
    try {
      const result = await client.putObject('photos/sample_file.jpg', image, { picOperations });
      expect(result.imageInfo.processResults[0]).toMatchObject({
        key: 'photos/test1.png',
        fileId: 'test1.png',
        bucket,
        resourcePath: '/1250000000/bucket/photos/test1.png',
      });
    } finally {
      await client.close();
    }
  });

  it('the emulator answers file_id as the rule’s fileid and resource_path with the resolved key', async () => {
    const client = new CiClient({
      protocol: 'files-v2',
      bucket,
      region: 'gz',
      endpoint: emulator.url,
      credentials: emulator.credentials[0]!,
    });
    try {
      const result = await client.putObject('photos/sample_file.jpg', image, { picOperations });
      expect(result.imageInfo.processResults[0]).toMatchObject({
        key: 'photos/test1.png',
        fileId: 'test1.png',
        resourcePath: '/1250000000/bucket/photos/test1.png',
      });
      expect(emulator.listObjects(bucket).map((o) => o.key)).toEqual([
        'photos/sample_file.jpg',
        'photos/test1.png',
      ]);
    } finally {
      await client.close();
    }
  });
});
