import { Module, type DynamicModule } from '@nestjs/common';
import { CiModule, type CiModuleOptions } from '../lib';
import { ImagesController } from './images/images.controller';

/** The sample application: the CI module configured by `main.ts` (emulator or real COS) and one controller. */
@Module({})
export class AppModule {
  static register(ci: CiModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [CiModule.forRoot({ ...ci, limits: { fileSize: 20 * 1024 * 1024, files: 10 } })],
      controllers: [ImagesController],
    };
  }
}
