import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { CiConfigurableModuleClass } from './ci.module-definition';
import {
  CiClientLifecycle,
  ciClientProvider,
  ciResolvedOptionsProvider,
  ciTrackerProvider,
  ciUploaderProvider,
} from './ci.providers';
import { CiService } from './ci.service';
import { CiExceptionFilter } from './errors/ci-exception.filter';
import { CiPlatformBinding } from './platform/ci-platform.binding';

/**
 * Configures credentials, bucket, region, protocol and limits for `@CiUpload` routes and `CiService`.
 *
 * @example
 * ;@Module({
 *   imports: [
 *     CiModule.forRoot({ bucket: 'photos-1250000000', region: 'ap-guangzhou', credentials: { secretId, secretKey } }),
 *   ],
 * })
 * export class AppModule {}
 *
 * @example
 * // Another bucket or account: a named instance, injected with @InjectCiService('avatars').
 * CiModule.forRoot({ name: 'avatars', bucket: 'avatars-1250000000', region: 'ap-guangzhou', credentials })
 *
 * @example
 * CiModule.forRootAsync({
 *   imports: [ConfigModule],
 *   inject: [ConfigService],
 *   useFactory: (config: ConfigService) => ({ bucket: config.getOrThrow('COS_BUCKET'), ... }),
 * })
 */
@Module({
  providers: [
    ciResolvedOptionsProvider,
    ciClientProvider,
    ciTrackerProvider,
    ciUploaderProvider,
    CiPlatformBinding,
    CiClientLifecycle,
    CiService,
    // CiErrors thrown by CiService calls in controllers get their precise status, not a 500.
    { provide: APP_FILTER, useClass: CiExceptionFilter },
  ],
  // The instance's parts are exported by `forRoot` (under the instance's tokens when it is named).
  exports: [CiPlatformBinding],
})
export class CiModule extends CiConfigurableModuleClass {}
