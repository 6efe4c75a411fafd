import type { ObjectStore } from './object-store';

/** Creates the configured buckets (nothing happens for one that exists) with their canned ACL. */
export async function createConfiguredBuckets(
  store: ObjectStore,
  buckets: readonly string[],
  acl: 'private' | 'public-read',
): Promise<void> {
  for (const bucket of buckets) {
    await store.createBucket(bucket);
    // `private` is a bucket without an ACL (object-store.ts): nothing to set.
    if (acl !== 'private') await store.setBucketConfig(bucket, { ...store.getBucketConfig(bucket), acl });
  }
}
