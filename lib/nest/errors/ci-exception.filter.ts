import {
  Catch,
  HttpException,
  Inject,
  Logger,
  type ArgumentsHost,
  type ExceptionFilter,
  type LoggerService,
} from '@nestjs/common';
import type { Response } from 'express';
import { CiError } from '../../core/errors';
import { CI_RESOLVED_OPTIONS } from '../ci.constants';
import type { ResolvedCiModuleOptions } from '../ci-module-options.validation';
import { toCiHttpException } from './ci-exception.mapper';

/**
 * Answers any `CiError` that reaches a controller (from `CiService` calls, for instance) with the status and
 * JSON body of {@link toCiHttpException}, instead of Nest's 500. `CiModule` registers it globally.
 */
@Catch(CiError)
export class CiExceptionFilter implements ExceptionFilter<CiError> {
  private readonly logger: LoggerService;

  constructor(@Inject(CI_RESOLVED_OPTIONS) options: ResolvedCiModuleOptions) {
    this.logger = options.logger ?? new Logger('CiModule');
  }

  catch(error: CiError, host: ArgumentsHost): void {
    const mapped = toCiHttpException(error);
    if (host.getType() !== 'http' || !(mapped instanceof HttpException)) throw error;
    const status = mapped.getStatus();
    if (status >= 500) {
      const e = error as CiError & { ciCode?: string; requestId?: string };
      this.logger.warn(
        `${error.message}` +
          (e.ciCode ? ` [${e.ciCode}${e.requestId ? `, request id ${e.requestId}` : ''}]` : ''),
      );
    }
    host.switchToHttp().getResponse<Response>().status(status).json(mapped.getResponse());
  }
}
