import { startCiEmulator, type CiEmulator } from '../../emulator';
import { CiClient } from '../../lib/client';

/**
 * One emulator bucket for an e2e suite (registers its own beforeAll/afterAll/beforeEach): the connection
 * options an app needs, and what the bucket holds as seen through the COS API (objects, and open multipart
 * uploads via ListMultipartUploads).
 */
export function useEmulatorBucket(bucket: string) {
  const kit = {
    emulator: undefined as unknown as CiEmulator,
    inspect: undefined as unknown as CiClient,
    /** Bucket, region, endpoint and credentials, plus 1 MiB multipart parts (so 2 MiB files go multipart). */
    connection() {
      return {
        bucket,
        region: kit.emulator.region,
        endpoint: kit.emulator.url,
        credentials: kit.emulator.credentials[0]!,
        upload: { multipartThreshold: 1024 * 1024, partSize: 1024 * 1024, partConcurrency: 2 },
      };
    },
    /** Object keys (sorted) and the keys of open multipart uploads. */
    async leftovers() {
      return {
        objects: kit.emulator
          .listObjects(bucket)
          .map((o) => o.key)
          .sort(),
        uploads: (await kit.inspect.listMultipartUploads()).map((u) => u.key),
      };
    },
  };
  beforeAll(async () => {
    kit.emulator = await startCiEmulator({ port: 0, buckets: [bucket], region: 'ap-guangzhou' });
    const { upload: _upload, ...connection } = kit.connection();
    kit.inspect = new CiClient(connection);
  });
  afterAll(async () => {
    await kit.inspect?.close();
    await kit.emulator?.close();
  });
  beforeEach(() => kit.emulator.reset());
  return kit;
}
