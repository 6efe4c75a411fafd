import { Catch, HttpException, Inject, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage } from 'node:http';
import { CiError } from '../../core/errors';
import { logCiFailure, type ResolvedCiModuleOptions } from '../../upload';
import { CI_RESOLVED_OPTIONS } from '../ci.constants';
import { moduleLogger } from '../ci.providers';
import type { CiModuleOptions } from '../interfaces/ci-module-options.interface';
import { clientGone } from '../../multer';
import { toCiHttpException } from './ci-exception.mapper';

/**
 * Answers any `CiError` that reaches a controller (from `CiService` calls, for instance) with the status and
 * JSON body of {@link toCiHttpException}, instead of Nest's 500, on Express and Fastify alike; a client that
 * went away gets nothing. `CiModule` registers it globally.
 */
@Catch(CiError)
export class CiExceptionFilter implements ExceptionFilter<CiError> {
  constructor(
    @Inject(CI_RESOLVED_OPTIONS) private readonly options: ResolvedCiModuleOptions<CiModuleOptions>,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  catch(error: CiError, host: ArgumentsHost): void {
    const mapped = toCiHttpException(error);
    if (host.getType() !== 'http' || !(mapped instanceof HttpException)) throw error;
    const http = host.switchToHttp();
    const req = http.getRequest<{ raw?: IncomingMessage } & IncomingMessage>();
    if (clientGone(req.raw ?? req)) return;
    logCiFailure(moduleLogger(this.options), error);
    this.adapterHost.httpAdapter.reply(http.getResponse(), mapped.getResponse(), mapped.getStatus());
  }
}
