import { Module, type DynamicModule } from '@nestjs/common';
import { CiModule, type CiModuleOptions } from '../lib';
import { DirectUploadsController } from './images/direct-uploads.controller';
import { ImagesController } from './images/images.controller';
import { UploadProgressController } from './progress/upload-progress.controller';
import { uploadProgress, UploadProgressHub } from './progress/upload-progress.hub';

/**
 * The sample application: the CI module configured by `main.ts` (emulator or real COS), the images
 * controller, and the progress stream its page watches.
 */
@Module({})
export class AppModule {
  static register(ci: CiModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [CiModule.forRoot({ ...ci, limits: { fileSize: 20 * 1024 * 1024, files: 10 } })],
      controllers: [ImagesController, DirectUploadsController, UploadProgressController],
      // The instance `@CiUpload` publishes to (decorator options are static), injectable where it is read.
      providers: [{ provide: UploadProgressHub, useValue: uploadProgress }],
    };
  }
}
