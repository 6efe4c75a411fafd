import { randomBytes } from 'node:crypto';

/** A COS-looking upload id: Unix seconds followed by random hex (`1585130821cbb7df1d1184...`). */
export function newUploadId(): string {
  return `${Math.floor(Date.now() / 1000)}${randomBytes(24).toString('hex')}`;
}

/** A COS-looking version id: base64 of a decimal time and random digits (`MTg0NDUxNTc1NjIzMTQ1MDAwODg`). */
export function newVersionId(): string {
  const digits = `${Date.now()}${randomBytes(6).readUIntBE(0, 6)}`;
  return Buffer.from(digits).toString('base64').replace(/=+$/, '');
}
