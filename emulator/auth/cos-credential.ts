/** A key pair the emulator accepts; with `securityToken`, a temporary (STS) key. */
export interface CosCredential {
  secretId: string;
  secretKey: string;
  /** Requests signed with this SecretId must carry this `x-cos-security-token`. */
  securityToken?: string;
}
