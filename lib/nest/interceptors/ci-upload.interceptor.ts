import {
  Inject,
  Injectable,
  mixin,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
  type Type,
} from '@nestjs/common';
import { catchError, from, switchMap, throwError, type Observable } from 'rxjs';
import { CiAbortError } from '../../core/errors';
import { byField, CiUploadRunner, type CiUploadedFile } from '../../multer';
import {
  compileUploadRoute,
  type CiUploader,
  type CiUploadSpec,
  type ResolvedCiModuleOptions,
} from '../../upload';
import { getCiToken } from '../ci-instance.tokens';
import { moduleLogger } from '../ci.providers';
import { toCiHttpException } from '../errors/ci-exception.mapper';
import type { CiModuleOptions } from '../interfaces/ci-module-options.interface';
import { CiPlatformBinding } from '../platform/ci-platform.binding';

export type { CiUploadSpec } from '../../upload';

/** The platform's request as the interceptor fills it (Express `Request` or `FastifyRequest`). */
interface UploadRequest {
  body?: unknown;
  file?: CiUploadedFile;
  files?: CiUploadedFile[] | Record<string, CiUploadedFile[]>;
  ciResult?: CiUploadedFile;
  ciResults?: Record<string, CiUploadedFile[]>;
}

/**
 * Builds the interceptor `@CiUpload` applies, on Nest's Express or Fastify platform: multer with the CI
 * storage engine on Node's request (built once, at start-up), then `ciResult` / `ciResults` and
 * `@UploadedFile(s)` on the platform's request. When the rest of the request fails (a pipe such as
 * `ParseFilePipe`, the handler), what was stored is removed before the error answer, unless `keepOnError`.
 * `instance` picks a named `CiModule` (`CiModule.forRoot({ name })`); default: the unnamed one.
 */
export function CiUploadInterceptor(spec: CiUploadSpec, instance?: string): Type<NestInterceptor> {
  @Injectable()
  class MixinCiUploadInterceptor implements NestInterceptor {
    private readonly runner: CiUploadRunner;

    constructor(
      @Inject(getCiToken('options', instance)) options: ResolvedCiModuleOptions<CiModuleOptions>,
      @Inject(getCiToken('uploader', instance)) uploader: CiUploader,
      private readonly platform: CiPlatformBinding,
    ) {
      this.runner = new CiUploadRunner(uploader, compileUploadRoute(spec, options), moduleLogger(options));
    }

    async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
      const http = context.switchToHttp();
      const req = http.getRequest<UploadRequest & object>();
      const raw = this.platform.raw(req, http.getResponse<object>());
      const intake = await this.runner.receive(raw.req, raw.res, req);
      if (!intake.ok) {
        // Client gone: nobody to answer, and the filter sends nothing.
        if (intake.gone)
          throw new CiAbortError({ method: 'POST', path: raw.req.url ?? '/' }, { cause: intake.error });
        throw toCiHttpException(intake.error);
      }
      const { files } = intake;
      // Fastify's own body is unset for multipart (its parser leaves the stream to multer): @Body() reads this.
      if (req.body == null) req.body = intake.body;
      if (this.runner.route.single) {
        req.file = req.ciResult = files[0]!;
      } else {
        req.ciResults = byField(files);
        req.files = files;
      }
      return next
        .handle()
        .pipe(
          catchError((err: unknown) =>
            from(this.runner.discard(files)).pipe(switchMap(() => throwError(() => err))),
          ),
        );
    }
  }
  return mixin(MixinCiUploadInterceptor);
}
