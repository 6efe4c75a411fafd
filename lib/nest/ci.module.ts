import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { CI_CLIENT, CI_RESOLVED_OPTIONS } from './ci.constants';
import { CiConfigurableModuleClass } from './ci.module-definition';
import { CiClientLifecycle, ciClientProvider, ciResolvedOptionsProvider } from './ci.providers';
import { CiService } from './ci.service';
import { CiUploadTracker } from './ci-upload.tracker';
import { CiExceptionFilter } from './errors/ci-exception.filter';

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
    CiUploadTracker,
    CiClientLifecycle,
    CiService,
    // CiErrors thrown by CiService calls in controllers get their precise status, not a 500.
    { provide: APP_FILTER, useClass: CiExceptionFilter },
  ],
  exports: [CiService, CI_CLIENT, CI_RESOLVED_OPTIONS, CiUploadTracker],
})
export class CiModule extends CiConfigurableModuleClass {}
