import { Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { startCiEmulator, type CiEmulator, type CiEmulatorOptions } from '../emulator';
import { CiModule } from '../lib/nest/ci.module';
import type { CiModuleOptions } from '../lib/nest/interfaces/ci-module-options.interface';

/** Injection token of the in-process emulator started by {@link CiTestingModule}. */
export const CI_EMULATOR = Symbol('CI_EMULATOR');

/** Options of {@link CiTestingModule.forRoot}. */
export interface CiTestingModuleOptions {
  /** `CiModule` options to use besides the emulator's bucket, region, credentials and endpoint. */
  module?: Partial<CiModuleOptions>;
  /** Emulator options (styles, limits, faults...). Default: one bucket `examplebucket-1250000000` in ap-guangzhou. */
  emulator?: Partial<CiEmulatorOptions>;
}

const DEFAULT_BUCKET = 'examplebucket-1250000000';
const DEFAULT_REGION = 'ap-guangzhou';

class CiEmulatorCloser implements OnApplicationShutdown {
  constructor(@Inject(CI_EMULATOR) private readonly emulator: CiEmulator) {}

  async onApplicationShutdown(): Promise<void> {
    await this.emulator.close();
  }
}

@Module({})
class CiEmulatorHostModule {
  static register(options: Partial<CiEmulatorOptions>): DynamicModule {
    return {
      module: CiEmulatorHostModule,
      providers: [
        {
          provide: CI_EMULATOR,
          useFactory: () =>
            startCiEmulator({
              port: 0,
              buckets: [DEFAULT_BUCKET],
              region: DEFAULT_REGION,
              ...options,
            }),
        },
        CiEmulatorCloser,
      ],
      exports: [CI_EMULATOR],
    };
  }
}

/**
 * Starts an in-process COS + CI emulator and wires `CiModule` to it (global), so an e2e test runs the real
 * pipeline (multer, streaming, signatures, CI processing with real pixels) without a cloud account and
 * without overriding any interceptor. Inject `CI_EMULATOR` to inspect what was stored.
 *
 * @example
 * const moduleRef = await Test.createTestingModule({
 *   imports: [CiTestingModule.forRoot(), AvatarsModule],
 * }).compile();
 * const emulator = moduleRef.get<CiEmulator>(CI_EMULATOR);
 */
@Module({})
export class CiTestingModule {
  static forRoot(options: CiTestingModuleOptions = {}): DynamicModule {
    const host = CiEmulatorHostModule.register(options.emulator ?? {});
    return {
      module: CiTestingModule,
      global: true,
      imports: [
        host,
        CiModule.forRootAsync({
          isGlobal: true,
          imports: [host],
          inject: [CI_EMULATOR],
          useFactory: (emulator: CiEmulator): CiModuleOptions => ({
            bucket: emulator.buckets[0] ?? DEFAULT_BUCKET,
            region: emulator.region,
            credentials: emulator.credentials[0]!,
            endpoint: emulator.url,
            ...options.module,
          }),
        }),
      ],
      exports: [host],
    };
  }
}
