import type { LoggerService } from '@nestjs/common';
import type { CiUploaderOptions } from '../../upload';

export type { CiKeyContext, CiKeyStrategy, CiLogger, CiUploadBehaviour, CiUploadLimits } from '../../upload';

/** Options of `CiModule.forRoot()`: everything `CiClient` takes, plus upload behaviour. */
export interface CiModuleOptions extends Omit<CiUploaderOptions, 'logger'> {
  /** Logger; default Nest's `Logger` with context `CiModule`. */
  logger?: LoggerService;
}
