import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { CI_CLIENT, CI_RESOLVED_OPTIONS, CI_UPLOADER } from './ci.constants';
import { CiConfigurableModuleClass } from './ci.module-definition';
import { CiUploadTracker } from '../upload';
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
  exports: [CiService, CI_CLIENT, CI_RESOLVED_OPTIONS, CI_UPLOADER, CiUploadTracker, CiPlatformBinding],
})
export class CiModule extends CiConfigurableModuleClass {}
