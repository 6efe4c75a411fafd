import { Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { startCiEmulator, type CiEmulator, type CiEmulatorOptions } from '../emulator';
import { restrictCiNetworkToLoopback } from '../lib/client/loopback-guard';
import { CI_OPTIONS_OVERRIDE } from '../lib/nest/ci.constants';
import { CiModule } from '../lib/nest/ci.module';
import type { CiOptionsOverride } from '../lib/nest/ci.providers';
import type { CiModuleOptions } from '../lib/nest/interfaces/ci-module-options.interface';

/** Injection token of the in-process emulator started by {@link CiTestingModule}. */
export const CI_EMULATOR = Symbol('CI_EMULATOR');

/** Options of {@link CiTestingModule.forRoot}. */
export interface CiTestingModuleOptions {
  /**
   * `CiModule` options applied on top of every `CiModule` of the app (after the emulator's bucket, region,
   * credentials and endpoint), e.g. `{ protocol: 'files-v2' }`. Default: none.
   */
  module?: Partial<CiModuleOptions>;
  /** Emulator options (styles, limits, faults...). Default: one bucket `examplebucket-1250000000` in ap-guangzhou. */
  emulator?: Partial<CiEmulatorOptions>;
}

const DEFAULT_BUCKET = 'examplebucket-1250000000';
const DEFAULT_REGION = 'ap-guangzhou';
const GUARD_HOLDER = 'nestjs-tencent-ci/testing (CiTestingModule)';

/** The options that send a `CiModule` to the emulator: the app's, with the emulator's bucket, keys and URL. */
function toEmulator(emulator: CiEmulator, extra: Partial<CiModuleOptions>): CiOptionsOverride {
  return (app) => ({
    ...app,
    bucket: emulator.buckets[0] ?? DEFAULT_BUCKET,
    region: emulator.region,
    credentials: emulator.credentials[0]!,
    endpoint: emulator.url,
    // Derived from the bucket and the endpoint again: the app's would name its real bucket and host.
    appId: undefined,
    addressing: undefined,
    ...extra,
  });
}

/** Token of the loopback guard's release function, held from the boot to the shutdown. */
const CI_LOOPBACK_GUARD = Symbol('CI_LOOPBACK_GUARD');

/** Stops the emulator and releases the loopback guard when the application shuts down. */
class CiTestingLifecycle implements OnApplicationShutdown {
  constructor(
    @Inject(CI_EMULATOR) private readonly emulator: CiEmulator,
    @Inject(CI_LOOPBACK_GUARD) private readonly releaseGuard: () => void,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    try {
      await this.emulator.close();
    } finally {
      this.releaseGuard();
    }
  }
}

@Module({})
class CiEmulatorHostModule {
  static register(options: CiTestingModuleOptions): DynamicModule {
    return {
      module: CiEmulatorHostModule,
      global: true,
      providers: [
        // On before the emulator starts (it is injected there), so nothing built during the boot reaches the cloud.
        { provide: CI_LOOPBACK_GUARD, useFactory: () => restrictCiNetworkToLoopback(GUARD_HOLDER) },
        {
          provide: CI_EMULATOR,
          useFactory: async (releaseGuard: () => void) => {
            try {
              return await startCiEmulator({
                port: 0,
                buckets: [DEFAULT_BUCKET],
                region: DEFAULT_REGION,
                ...options.emulator,
              });
            } catch (error) {
              releaseGuard();
              throw error;
            }
          },
          inject: [CI_LOOPBACK_GUARD],
        },
        {
          provide: CI_OPTIONS_OVERRIDE,
          useFactory: (emulator: CiEmulator) => toEmulator(emulator, options.module ?? {}),
          inject: [CI_EMULATOR],
        },
        CiTestingLifecycle,
      ],
      exports: [CI_EMULATOR, CI_OPTIONS_OVERRIDE],
    };
  }
}

/**
 * Starts an in-process COS + CI emulator and sends every `CiModule` of the application to it (the app's own
 * `CiModule.forRoot`/`forRootAsync` included: its bucket, region, credentials and endpoint are replaced by the
 * emulator's, its other options kept), so a test of the whole `AppModule` runs the real pipeline without a
 * cloud account and without overriding anything. While it lives, any `CiClient` request to a non-loopback host
 * fails with `CiNetworkBlockedError`. Inject `CI_EMULATOR` to inspect what was stored. It also provides a
 * `CiModule` itself, for tests of a feature module that has none.
 *
 * @example
 * const moduleRef = await Test.createTestingModule({ imports: [AppModule, CiTestingModule.forRoot()] }).compile();
 * const emulator = moduleRef.get<CiEmulator>(CI_EMULATOR);
 */
@Module({})
export class CiTestingModule {
  static forRoot(options: CiTestingModuleOptions = {}): DynamicModule {
    const host = CiEmulatorHostModule.register(options);
    return {
      module: CiTestingModule,
      global: true,
      imports: [
        host,
        CiModule.forRootAsync({
          isGlobal: true,
          imports: [host],
          inject: [CI_EMULATOR],
          // Completed by the override like any CiModule of the app.
          useFactory: (emulator: CiEmulator): CiModuleOptions => ({
            bucket: emulator.buckets[0] ?? DEFAULT_BUCKET,
            region: emulator.region,
            credentials: emulator.credentials[0]!,
          }),
        }),
      ],
      exports: [host],
    };
  }
}
