import type { ObjectStore } from './object-store';

/**
 * The configuration documents a bucket keeps beside its objects (`BucketConfig.subresources`): read, written and
 * removed by name, so that every configuration sub-resource shares one store.
 */
export const bucketSubresources = {
  /** The stored document `name` of a bucket, if any. */
  get(store: ObjectStore, bucket: string, name: string): string | undefined {
    return store.getBucketConfig(bucket).subresources?.[name];
  },

  /** The stored documents whose name starts with `prefix` (`inventory/`), by name. */
  list(store: ObjectStore, bucket: string, prefix: string): Array<[name: string, document: string]> {
    return Object.entries(store.getBucketConfig(bucket).subresources ?? {}).filter(([name]) =>
      name.startsWith(prefix),
    );
  },

  /** Stores (or, with `undefined`, removes) the document `name`; true when there was one before. */
  async set(
    store: ObjectStore,
    bucket: string,
    name: string,
    document: string | undefined,
  ): Promise<boolean> {
    const config = store.getBucketConfig(bucket);
    const subresources = { ...config.subresources };
    const existed = name in subresources;
    if (document === undefined) delete subresources[name];
    else subresources[name] = document;
    await store.setBucketConfig(bucket, { ...config, subresources });
    return existed;
  },
};
