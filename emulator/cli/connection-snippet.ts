/** What an app needs to reach a running emulator. */
export interface EmulatorConnection {
  url: string;
  bucket: string;
  region: string;
  secretId: string;
  /** `undefined` when the key was chosen by the user: it is theirs to know, never printed. */
  secretKey: string | undefined;
  securityToken?: boolean;
}

const quote = (value: string): string => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/**
 * The lines `ci-emulator` prints so an app can be pointed at it by pasting: shell `export`s of the variables
 * the sample app and the README's Quick start read, and the equivalent `CiModule.forRoot({...})`.
 *
 * @example
 * connectionSnippet({ url: 'http://127.0.0.1:9000', bucket: 'examplebucket-1250000000', region: 'ap-guangzhou', secretId, secretKey })
 */
export function connectionSnippet(c: EmulatorConnection): string {
  const secretKey = c.secretKey === undefined ? 'process.env.COS_SECRET_KEY!' : quote(c.secretKey);
  return [
    'Point your app at it: export these (the README Quick start reads them) ...',
    `  export COS_ENDPOINT=${c.url}`,
    `  export COS_BUCKET=${c.bucket}`,
    `  export COS_REGION=${c.region}`,
    `  export COS_SECRET_ID=${c.secretId}`,
    `  export COS_SECRET_KEY=${c.secretKey ?? '<the key you passed>'}`,
    ...(c.securityToken ? ['  export COS_SECURITY_TOKEN=<the token you passed>'] : []),
    '... or paste this:',
    '  CiModule.forRoot({',
    `    bucket: ${quote(c.bucket)},`,
    `    region: ${quote(c.region)},`,
    `    endpoint: ${quote(c.url)},`,
    `    credentials: { secretId: ${quote(c.secretId)}, secretKey: ${secretKey}${c.securityToken ? ', securityToken: process.env.COS_SECURITY_TOKEN!' : ''} },`,
    '  })',
  ].join('\n');
}
