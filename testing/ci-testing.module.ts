import { Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { startCiEmulator, type CiEmulator, type CiEmulatorOptions } from '../emulator';
import { restrictCiNetworkToLoopback } from '../lib/client/loopback-guard';
import { CI_OPTIONS_OVERRIDE } from '../lib/nest/ci.constants';
import { CiModule } from '../lib/nest/ci.module';
import type { CiOptionsOverride } from '../lib/nest/ci.providers';
import type { CiModuleOptions } from '../lib/nest/interfaces/ci-module-options.interface';
import { resolveCiModuleOptions } from '../lib/upload/upload-options.validation';

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

/**
 * The emulator of one boot and the loopback guard it holds, ended together and once: at the application's
 * shutdown, or as soon as the boot is seen to fail after the emulator started (Nest calls no hook then, and a
 * listening emulator would keep the test process from exiting).
 */
class EmulatorLease {
  /** Every lease not ended yet, for {@link CiTestingModule.closeAll}. */
  static readonly live = new Set<EmulatorLease>();
  private ended?: Promise<void>;

  constructor(
    readonly emulator: CiEmulator,
    private readonly releaseGuard: () => void,
  ) {
    EmulatorLease.live.add(this);
  }

  /** Closes the emulator and releases the guard; later calls get the same promise. */
  end(): Promise<void> {
    EmulatorLease.live.delete(this);
    this.ended ??= this.emulator.close().finally(this.releaseGuard);
    return this.ended;
  }
}

/**
 * The options that send a `CiModule` to the emulator: the app's, with the emulator's bucket, keys and URL. They
 * are validated here, before the module does the same: options that fail end the lease first, so a boot that
 * fails on a `CiModule`'s configuration leaves no emulator listening and no guard held.
 */
function toEmulator(lease: EmulatorLease, extra: Partial<CiModuleOptions>): CiOptionsOverride {
  const { emulator } = lease;
  return (app) => {
    const options: CiModuleOptions = {
      ...app,
      // A bucket the emulator has is kept (named instances, one bucket each); any other is its first.
      bucket: emulator.buckets.includes(app.bucket) ? app.bucket : (emulator.buckets[0] ?? DEFAULT_BUCKET),
      region: emulator.region,
      credentials: emulator.credentials[0]!,
      endpoint: emulator.url,
      // The emulator answers STS too: temporary credentials are issued (and their scope enforced) locally.
      stsEndpoint: emulator.url,
      // Derived from the bucket and the endpoint again: the app's would name its real bucket and host.
      appId: undefined,
      addressing: undefined,
      ...extra,
    };
    try {
      resolveCiModuleOptions(options);
    } catch (error) {
      void lease.end();
      throw error;
    }
    return options;
  };
}

/** Token of the {@link EmulatorLease} of the boot. */
const CI_EMULATOR_LEASE = Symbol('CI_EMULATOR_LEASE');

/** Ends the lease (stops the emulator, releases the loopback guard) when the application shuts down. */
class CiTestingLifecycle implements OnApplicationShutdown {
  constructor(@Inject(CI_EMULATOR_LEASE) private readonly lease: EmulatorLease) {}

  onApplicationShutdown(): Promise<void> {
    return this.lease.end();
  }
}

@Module({})
class CiEmulatorHostModule {
  static register(options: CiTestingModuleOptions): DynamicModule {
    return {
      module: CiEmulatorHostModule,
      global: true,
      providers: [
        {
          provide: CI_EMULATOR_LEASE,
          useFactory: async () => {
            // On before the emulator starts, so nothing built during the boot reaches the cloud.
            const releaseGuard = restrictCiNetworkToLoopback(GUARD_HOLDER);
            try {
              const emulator = await startCiEmulator({
                port: 0,
                buckets: [DEFAULT_BUCKET],
                region: DEFAULT_REGION,
                ...options.emulator,
              });
              return new EmulatorLease(emulator, releaseGuard);
            } catch (error) {
              releaseGuard();
              throw error;
            }
          },
        },
        {
          provide: CI_EMULATOR,
          useFactory: (lease: EmulatorLease) => lease.emulator,
          inject: [CI_EMULATOR_LEASE],
        },
        {
          provide: CI_OPTIONS_OVERRIDE,
          useFactory: (lease: EmulatorLease) => toEmulator(lease, options.module ?? {}),
          inject: [CI_EMULATOR_LEASE],
        },
        CiTestingLifecycle,
      ],
      exports: [CI_EMULATOR, CI_OPTIONS_OVERRIDE],
    };
  }
}

/**
 * Starts an in-process COS + CI emulator and sends every `CiModule` of the application to it (the app's own
 * `CiModule.forRoot`/`forRootAsync` included, named instances too: its region, credentials and endpoint are
 * replaced by the emulator's, its bucket by the emulator's first unless the emulator has it (list the buckets
 * of named instances in `emulator.buckets` to keep them apart), its other options kept), so a test of the whole `AppModule` runs the real pipeline without a
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

  /**
   * Stops every emulator a `CiTestingModule` started that is still running, and releases their loopback guards.
   * Nothing needs it after `app.close()`, nor after a boot that failed on a `CiModule`'s configuration (that one
   * stops its emulator itself); call it in `afterAll` when a boot may fail elsewhere (a provider of the app
   * throwing in `compile()`: Nest calls no hook then, and the emulator would keep the test process alive).
   * @example afterAll(() => CiTestingModule.closeAll());
   */
  static async closeAll(): Promise<void> {
    await Promise.all([...EmulatorLease.live].map((lease) => lease.end()));
  }
}
