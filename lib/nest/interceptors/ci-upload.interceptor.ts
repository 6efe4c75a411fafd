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
import {
  byField,
  clientGone,
  createMulterUpload,
  type CiMulterUpload,
  type CiUploadedFile,
} from '../../multer';
import {
  compileUploadRoute,
  logCiFailure,
  type CiLogger,
  type CiUploader,
  type CiUploadRoute,
  type CiUploadSpec,
  type ResolvedCiModuleOptions,
} from '../../upload';
import { CI_RESOLVED_OPTIONS, CI_UPLOADER } from '../ci.constants';
import { moduleLogger } from '../ci.providers';
import { toCiHttpException } from '../errors/ci-exception.mapper';
import type { CiModuleOptions } from '../interfaces/ci-module-options.interface';
import { CiPlatformBinding } from '../platform/ci-platform.binding';

export type { CiUploadSpec } from '../../upload';

/** The platform's request as the interceptor fills it (Express `Request` or `FastifyRequest`). */
interface UploadRequest {
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
 */
export function CiUploadInterceptor(spec: CiUploadSpec): Type<NestInterceptor> {
  @Injectable()
  class MixinCiUploadInterceptor implements NestInterceptor {
    private readonly route: CiUploadRoute;
    private readonly upload: CiMulterUpload;
    private readonly logger: CiLogger;

    constructor(
      @Inject(CI_RESOLVED_OPTIONS) options: ResolvedCiModuleOptions<CiModuleOptions>,
      @Inject(CI_UPLOADER) private readonly uploader: CiUploader,
      private readonly platform: CiPlatformBinding,
    ) {
      this.route = compileUploadRoute(spec, options);
      this.upload = createMulterUpload(uploader, this.route);
      this.logger = moduleLogger(options);
    }

    async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
      const http = context.switchToHttp();
      const req = http.getRequest<UploadRequest & object>();
      const raw = this.platform.raw(req, http.getResponse<object>());
      this.uploader.tracker.holdRequest(raw.req, raw.res);
      let files: CiUploadedFile[];
      try {
        ({ files } = await this.upload(raw.req, raw.res, req));
      } catch (err) {
        if (clientGone(raw.req)) {
          // Nobody to answer: one debug line, and the filter sends nothing.
          this.logger.debug?.(`${this.route.where}: client went away during the upload`);
          throw new CiAbortError({ method: 'POST', path: raw.req.url ?? '/' }, { cause: err });
        }
        logCiFailure(this.logger, err);
        throw toCiHttpException(err);
      }
      if (this.route.single) {
        req.file = req.ciResult = files[0]!;
      } else {
        req.ciResults = byField(files);
        req.files = files;
      }
      return next
        .handle()
        .pipe(
          catchError((err: unknown) =>
            this.route.keepOnError
              ? throwError(() => err)
              : from(this.uploader.remove(files)).pipe(switchMap(() => throwError(() => err))),
          ),
        );
    }
  }
  return mixin(MixinCiUploadInterceptor);
}
