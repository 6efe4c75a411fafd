import { startCiEmulator, type CiEmulator } from '../emulator';
import type { CiModuleOptions } from '../lib';

/** Where the sample app sends images: real COS when credentials are in the environment, else the emulator. */
export interface SampleBackend {
  options: CiModuleOptions;
  /** The in-process emulator, when one was started. */
  emulator?: CiEmulator;
  description: string;
}

/**
 * Real COS with `COS_SECRET_ID`, `COS_SECRET_KEY`, `COS_BUCKET` (name-appid) and `COS_REGION` set (optional:
 * `COS_SECURITY_TOKEN`, `COS_ENDPOINT`, `CI_PROTOCOL`); otherwise an in-process emulator on `EMULATOR_PORT`
 * (default: a free port).
 */
export async function sampleBackend(env: NodeJS.ProcessEnv = process.env): Promise<SampleBackend> {
  const protocol = env.CI_PROTOCOL === 'files-v2' ? 'files-v2' : 'cos-v5';
  if (env.COS_SECRET_ID && env.COS_SECRET_KEY && env.COS_BUCKET && env.COS_REGION) {
    return {
      options: {
        protocol,
        bucket: env.COS_BUCKET,
        region: env.COS_REGION,
        endpoint: env.COS_ENDPOINT || undefined,
        credentials: {
          secretId: env.COS_SECRET_ID,
          secretKey: env.COS_SECRET_KEY,
          securityToken: env.COS_SECURITY_TOKEN || undefined,
        },
      },
      description: `Tencent COS bucket ${env.COS_BUCKET} in ${env.COS_REGION}`,
    };
  }
  const emulator = await startCiEmulator({
    port: Number(env.EMULATOR_PORT ?? 0),
    buckets: ['sample-1250000000'],
    region: 'ap-guangzhou',
  });
  return {
    emulator,
    options: {
      protocol,
      bucket: 'sample-1250000000',
      region: 'ap-guangzhou',
      endpoint: emulator.url,
      credentials: emulator.credentials[0]!,
    },
    description: `the embedded COS + CI emulator at ${emulator.url}`,
  };
}
