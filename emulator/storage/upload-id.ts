import { randomBytes } from 'node:crypto';

/** A COS-looking upload id: Unix seconds followed by random hex (`1585130821cbb7df1d1184...`). */
export function newUploadId(): string {
  return `${Math.floor(Date.now() / 1000)}${randomBytes(24).toString('hex')}`;
}
