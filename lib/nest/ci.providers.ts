import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationShutdown,
  type Provider,
} from '@nestjs/common';
import { CiClient } from '../client';
import {
  CiUploader,
  CiUploadTracker,
  resolveCiModuleOptions,
  type CiLogger,
  type ResolvedCiModuleOptions,
} from '../upload';
import { CI_CLIENT, CI_OPTIONS_OVERRIDE, CI_RESOLVED_OPTIONS, CI_UPLOADER } from './ci.constants';
import { CI_MODULE_OPTIONS } from './ci.module-definition';
import type { CiModuleOptions } from './interfaces/ci-module-options.interface';

/** A function every `CiModule` applies to its options when one is provided (see {@link CI_OPTIONS_OVERRIDE}). */
export type CiOptionsOverride = (options: CiModuleOptions) => CiModuleOptions;

/** The module's logger: the user's, or Nest's `Logger` with context `CiModule`. */
export function moduleLogger(options: CiModuleOptions): CiLogger {
  return (options.logger as CiLogger | undefined) ?? new Logger('CiModule');
}

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

/** Every upload and background check of the module, for shutdown. */
export const ciTrackerProvider: Provider = {
  provide: CiUploadTracker,
  useFactory: () => new CiUploadTracker(),
};

/** The upload use case shared by every `@CiUpload` route and `CiService.upload`. */
export const ciUploaderProvider: Provider = {
  provide: CI_UPLOADER,
  useFactory: (
    options: ResolvedCiModuleOptions<CiModuleOptions>,
    client: CiClient,
    tracker: CiUploadTracker,
  ) =>
    new CiUploader({
      client,
      tracker,
      logger: moduleLogger(options),
      keyPrefix: options.keyPrefix,
      recheckMs: options.unknownOutcomeRecheckMs,
    }),
  inject: [CI_RESOLVED_OPTIONS, CI_CLIENT, CiUploadTracker],
};

/**
 * Shutdown in order: before Nest closes the HTTP server, abort uploads in flight and run pending clean-up checks,
 * within `shutdownTimeoutMs` (then the sockets of requests still open are destroyed, so a silent client cannot
 * hold the server); after the server closed, close the client's pool.
 */
@Injectable()
export class CiClientLifecycle implements BeforeApplicationShutdown, OnApplicationShutdown {
  constructor(
    @Inject(CI_CLIENT) private readonly client: CiClient,
    @Inject(CI_RESOLVED_OPTIONS) private readonly options: ResolvedCiModuleOptions<CiModuleOptions>,
    private readonly tracker: CiUploadTracker,
  ) {}

  async beforeApplicationShutdown(): Promise<void> {
    const finished = await this.tracker.shutdown(this.options.shutdownTimeoutMs);
    if (!finished) {
      moduleLogger(this.options).warn(
        `shutdown: work still pending after shutdownTimeoutMs (${this.options.shutdownTimeoutMs} ms); closing`,
      );
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
  }
}
