const BUCKET_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?-(\d+)$/;

/**
 * Checks a bucket name (`name-appid`, lower-case letters, digits and `-`, at most 60 characters) against
 * the APPID; throws a `TypeError` that says what to fix.
 */
export function checkBucketName(bucket: string, appId: string): void {
  const match = BUCKET_NAME.exec(bucket);
  if (!match || bucket.length > 60) {
    throw new TypeError(
      `bucket "${bucket}" must be <name>-<appid>: lower-case letters, digits and "-", at most 60 characters`,
    );
  }
  if (match[2] !== appId) {
    throw new TypeError(`bucket "${bucket}" must end with the APPID -${appId} (or set appId to ${match[2]})`);
  }
}
