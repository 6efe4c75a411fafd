import { Injectable, Module, type DynamicModule } from '@nestjs/common';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { CiClient, CiModule, type CiModuleOptions } from '../../lib';
import { AvatarsController } from '../support/avatars.controller';

/** What an app's real configuration looks like: a real bucket and host, keys from the environment. */
export const REAL_COS: CiModuleOptions = {
  bucket: 'photos-1250000000',
  region: 'ap-shanghai',
  credentials: { secretId: 'AKIDreal', secretKey: 'real-secret-key' },
  keyPrefix: 'avatars',
};

/** Something in the app that builds its own client to a host of its choosing (here: `CLOUD_ORIGIN`). */
@Injectable()
export class ReportService {
  readonly client = new CiClient({ ...REAL_COS, endpoint: process.env.CLOUD_ORIGIN });
}

/**
 * A whole application as a user writes it, wired to the real cloud: `CiModule.forRoot` (sync) or
 * `CiModule.forRootAsync` (a factory, as with `ConfigService`).
 */
@Module({})
export class WholeAppModule {
  static register(kind: 'sync' | 'async'): DynamicModule {
    return {
      module: WholeAppModule,
      imports: [
        kind === 'sync'
          ? CiModule.forRoot(REAL_COS)
          : CiModule.forRootAsync({ useFactory: async () => ({ ...REAL_COS }) }),
      ],
      controllers: [AvatarsController],
      providers: [ReportService],
    };
  }
}

/** A non-loopback address of this machine, and a server on it that counts the connections it accepts. */
export async function nonLoopbackServer(): Promise<{
  origin: string;
  connections: () => number;
  close(): Promise<void>;
}> {
  const address = Object.values(networkInterfaces())
    .flat()
    .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
  if (!address) throw new Error('this machine has no non-loopback IPv4 address to test the guard with');
  let connections = 0;
  const server: Server = createServer((_req, res) => res.writeHead(404).end());
  server.on('connection', () => (connections += 1));
  await new Promise<void>((resolve) => server.listen(0, address, resolve));
  return {
    origin: `http://${address}:${(server.address() as AddressInfo).port}`,
    connections: () => connections,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
