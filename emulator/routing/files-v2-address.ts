/** What a files-v2 path addresses. */
export interface FilesV2Address {
  /** APPID of the path. */
  appId: string;
  /** Short bucket name, as in the path. */
  bucketShort: string;
  /** `<short>-<appid>`: the emulator's bucket name. */
  bucket: string;
  /** Object key, decoded segment by segment, without a leading slash. */
  key: string;
}
