import { Inject, Injectable, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { CiClient } from '../client';
import { CI_CLIENT, CI_OPTIONS_OVERRIDE, CI_RESOLVED_OPTIONS } from './ci.constants';
import { CI_MODULE_OPTIONS } from './ci.module-definition';
import { resolveCiModuleOptions, type ResolvedCiModuleOptions } from './ci-module-options.validation';
import type { CiModuleOptions } from './interfaces/ci-module-options.interface';

/** A function every `CiModule` applies to its options when one is provided (see {@link CI_OPTIONS_OVERRIDE}). */
export type CiOptionsOverride = (options: CiModuleOptions) => CiModuleOptions;

/** Validates the options once, at start-up: a bad configuration fails the boot naming every bad field. */
export const ciResolvedOptionsProvider: Provider = {
  provide: CI_RESOLVED_OPTIONS,
  useFactory: (options: CiModuleOptions, override?: CiOptionsOverride) =>
    resolveCiModuleOptions(override ? override(options) : options),
  inject: [CI_MODULE_OPTIONS, { token: CI_OPTIONS_OVERRIDE, optional: true }],
};

/** The module's `CiClient` (one undici Pool), closed on shutdown after uploads in flight were aborted. */
export const ciClientProvider: Provider = {
  provide: CI_CLIENT,
  useFactory: (options: ResolvedCiModuleOptions) => new CiClient(options),
  inject: [CI_RESOLVED_OPTIONS],
};

/** Closes the client's pool at shutdown, after the tracker aborted uploads in flight and the server closed. */
@Injectable()
export class CiClientLifecycle implements OnApplicationShutdown {
  constructor(@Inject(CI_CLIENT) private readonly client: CiClient) {}

  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
  }
}
