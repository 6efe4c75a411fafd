import { randomUUID } from 'node:crypto';
import { startCiEmulator, type CiEmulator } from '../../emulator';
import { CiClient, type CiClientOptions, type CiProtocol } from '../../lib/client';
import { photoJpeg, pixelBombPng } from '../support/images';
import type { ConformanceTarget } from './conformance.types';
import { RecordingDispatcher } from './recording-dispatcher';

/** A target with its recorder and the clients it made; `close()` closes them. */
export interface OpenTarget {
  target: ConformanceTarget;
  recorder: RecordingDispatcher;
  close(): Promise<void>;
}

/** What a target needs: a bucket, its region and endpoint, credentials. */
export type TargetConnection = Pick<CiClientOptions, 'bucket' | 'region' | 'endpoint' | 'filesV2Endpoint'> & {
  credentials: { secretId: string; secretKey: string; securityToken?: string };
};

/** Test images: a small JPEG, a text body, an image over CI's pixel limits. */
export async function conformanceImages(): Promise<ConformanceTarget['images']> {
  return {
    jpeg: await photoJpeg(64, 48),
    text: Buffer.from('this is not an image\n'),
    pixelBomb: await pixelBombPng(),
  };
}

/**
 * Opens a target on a bucket: clients go through one recording dispatcher on `endpoint` (so files-v2 is recorded
 * only where the endpoint serves it too: the emulator), under a fresh unique prefix.
 */
export async function openTarget(
  connection: TargetConnection & { endpoint: string },
  protocols: readonly CiProtocol[] = ['cos-v5', 'files-v2'],
): Promise<OpenTarget> {
  const recorder = new RecordingDispatcher(new URL(connection.endpoint).origin);
  const clients: CiClient[] = [];
  const prefix = `conformance-${new Date().toISOString().slice(0, 10)}-${randomUUID().slice(0, 8)}/`;
  const images = await conformanceImages();
  const target: ConformanceTarget = {
    prefix,
    protocols,
    images,
    client(protocol: CiProtocol, overrides = {}) {
      const client = new CiClient({
        ...connection,
        protocol,
        bucket: overrides.bucket ?? connection.bucket,
        credentials: {
          ...connection.credentials,
          ...(protocol === 'files-v2' ? { securityToken: undefined } : {}),
          ...(overrides.secretId ? { secretId: overrides.secretId } : {}),
          ...(overrides.secretKey ? { secretKey: overrides.secretKey } : {}),
        },
        dispatcher: recorder.dispatcher,
        retry: { retries: 1, minDelayMs: 1, maxDelayMs: 10 },
      });
      clients.push(client);
      return client;
    },
  };
  return {
    target,
    recorder,
    close: async () => {
      await Promise.all(clients.map((c) => c.close()));
      await recorder.close();
    },
  };
}

/** An emulator with one bucket, and a target on it. */
export async function startEmulatorTarget(): Promise<OpenTarget & { emulator: CiEmulator }> {
  const bucket = 'conformance-1250000000';
  const emulator = await startCiEmulator({ port: 0, buckets: [bucket], region: 'ap-guangzhou' });
  const open = await openTarget({
    bucket,
    region: emulator.region,
    endpoint: emulator.url,
    credentials: emulator.credentials[0]!,
  });
  return {
    ...open,
    emulator,
    close: async () => {
      await open.close();
      await emulator.close();
    },
  };
}
