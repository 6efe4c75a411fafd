import { Module, type Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { connect, createServer } from 'node:net';
import { CiModule } from '../../lib';
import { assertCiNetworkAllowed } from '../../lib/client/loopback-guard';
import { CiTestingModule } from '../../testing';

/** An app whose own CiModule stays invalid under the testing module (the swap keeps `protocol`). */
@Module({
  imports: [
    CiModule.forRoot({
      bucket: 'photos-1250000000',
      region: 'ap-guangzhou',
      credentials: { secretId: 'id', secretKey: 'key' },
      protocol: 'ftp' as never,
    }),
  ],
})
class MisconfiguredAppModule {}

/** A port that was free a moment ago (the emulator is told to listen there, so the test can knock on it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** True when something accepts connections on `port`. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** What `compile()` of `app` beside a `CiTestingModule` whose emulator listens on `port` rejects with. */
function bootError(app: Type, port: number): Promise<unknown> {
  return Test.createTestingModule({ imports: [app, CiTestingModule.forRoot({ emulator: { port } })] })
    .compile()
    .then(
      () => new Error('booted'),
      (e: unknown) => e,
    );
}

/** Listening servers of this process (the test's own probe server is closed by the time it counts). */
const listeningServers = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap').length;

describe('CiTestingModule when the boot fails after its emulator started', () => {
  it('stops the emulator and releases the loopback guard', async () => {
    const port = await freePort();
    const error = await bootError(MisconfiguredAppModule, port);
    expect(error).toMatchObject({ name: 'CiValidationError', code: 'CI_VALIDATION' });
    expect((error as Error).message).toContain('protocol must be "cos-v5" or "files-v2"');

    // The emulator did start (on that port) before the app's CiModule was validated, and is closed now.
    const until = Date.now() + 5_000;
    while ((await listening(port)) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect(await listening(port)).toBe(false);
    expect(listeningServers()).toBe(0);
    // No guard is left held: a later test may reach any host.
    expect(() =>
      assertCiNetworkAllowed('https://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com'),
    ).not.toThrow();
  });

  it('a boot that succeeds keeps its emulator until the application closes', async () => {
    const port = await freePort();
    const moduleRef = await Test.createTestingModule({
      imports: [CiTestingModule.forRoot({ emulator: { port } })],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    expect(await listening(port)).toBe(true);
    expect(() => assertCiNetworkAllowed('https://example.com')).toThrow(/only loopback hosts/);
    await app.close();
    expect(await listening(port)).toBe(false);
    expect(() => assertCiNetworkAllowed('https://example.com')).not.toThrow();
  });
});

/** An app whose boot fails in a provider that has nothing to do with CI (no module gets a hook then). */
@Module({
  providers: [
    {
      provide: 'DATABASE',
      useFactory: async () => {
        await new Promise((r) => setTimeout(r, 200));
        throw new Error('database unreachable');
      },
    },
  ],
})
class FailingDatabaseModule {}

describe('CiTestingModule.closeAll', () => {
  it('stops an emulator left by a boot that failed elsewhere, and releases its guard', async () => {
    const port = await freePort();
    const error = await bootError(FailingDatabaseModule, port);
    expect(error).toMatchObject({ message: 'database unreachable' });
    // The emulator started while the database was still connecting, and nothing told it the boot failed.
    expect(await listening(port)).toBe(true);
    await CiTestingModule.closeAll();
    expect(await listening(port)).toBe(false);
    expect(listeningServers()).toBe(0);
    expect(() => assertCiNetworkAllowed('https://example.com')).not.toThrow();
  });
});
