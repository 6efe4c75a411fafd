import {
  BadRequestException,
  Inject,
  Injectable,
  Logger,
  mixin,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
  type Type,
} from '@nestjs/common';
import type { Request, RequestHandler, Response } from 'express';
import multer from 'multer';
import type { Observable } from 'rxjs';
import type { CiClient } from '../../client';
import { CI_CLIENT, CI_RESOLVED_OPTIONS } from '../ci.constants';
import type { ResolvedCiModuleOptions } from '../ci-module-options.validation';
import { CiUploadTracker } from '../ci-upload.tracker';
import { toCiHttpException } from '../errors/ci-exception.mapper';
import type { CiUploadFieldsOptions, CiUploadOptions } from '../interfaces/ci-upload-options.interface';
import type { CiUploadResult, CiUploadResults } from '../interfaces/ci-upload-result.interface';
import { compileProcessing, type CompiledProcessing } from '../processing/ci-processing.compiler';
import { CiStorageEngine } from '../storage/ci-storage.engine';
import { defaultObjectKey } from '../storage/object-key';

/** What `@CiUpload` describes: one field (single or array) or many fields. */
export type CiUploadSpec =
  | { kind: 'field'; field: string; options: CiUploadOptions }
  | { kind: 'fields'; options: CiUploadFieldsOptions };

function pick(file: Express.Multer.File): CiUploadResult {
  const f = file as Express.Multer.File & CiUploadResult;
  const result: CiUploadResult = {
    fieldname: f.fieldname,
    key: f.key,
    bucket: f.bucket,
    size: f.size,
    etag: f.etag,
    mimetype: f.mimetype,
    originalName: f.originalName,
    requestId: f.requestId,
    imageInfo: f.imageInfo,
  };
  for (const k of ['timecost', 'location', 'accessUrl', 'sourceUrl', 'resourcePath', 'url'] as const) {
    if (f[k] !== undefined) (result as unknown as Record<string, unknown>)[k] = f[k];
  }
  return result;
}

/**
 * Builds the interceptor `@CiUpload` applies: multer (built once, at start-up) with the CI storage engine,
 * then `req.ciResult` / `req.ciResults`. Rules are checked when the application starts.
 */
export function CiUploadInterceptor(spec: CiUploadSpec): Type<NestInterceptor> {
  @Injectable()
  class MixinCiUploadInterceptor implements NestInterceptor {
    /** The multer middleware of this route. */
    protected readonly middleware: RequestHandler;
    private readonly single: boolean;

    constructor(
      @Inject(CI_RESOLVED_OPTIONS) options: ResolvedCiModuleOptions,
      @Inject(CI_CLIENT) client: CiClient,
      tracker: CiUploadTracker,
    ) {
      const local = spec.options;
      const where = spec.kind === 'field' ? `@CiUpload('${spec.field}')` : '@CiUpload({ fields })';
      const processing = new Map<string, CompiledProcessing>();
      const defaults = {
        isPicInfo: options.isPicInfo,
        styles: options.styles,
        strictRules: options.strictRules,
      };
      if (spec.kind === 'field') {
        processing.set(spec.field, compileProcessing(spec.options, defaults, where));
      } else {
        for (const f of spec.options.fields) {
          processing.set(f.name, compileProcessing(f, defaults, `${where}.${f.name}`));
        }
      }
      const allowedFormats = local.allowedFormats
        ? local.allowedFormats.filter((f) => options.allowedFormats.includes(f))
        : options.allowedFormats;
      const limits = {
        fileSize: Math.min(local.limits?.fileSize ?? Infinity, options.limits.fileSize),
        files: Math.min(local.limits?.files ?? Infinity, options.limits.files),
        fields: Math.min(local.limits?.fields ?? Infinity, options.limits.fields),
      };
      const keyStrategy =
        local.key ?? options.keyStrategy ?? ((_req, file) => defaultObjectKey(options.keyPrefix, file));
      const storage = new CiStorageEngine({
        client,
        tracker,
        allowedFormats,
        keyStrategy,
        processingFor: (field) => processing.get(field)!,
        logger: options.logger ?? new Logger('CiModule'),
      });
      const upload = multer({ storage, limits });
      this.single = spec.kind === 'field' && spec.options.maxCount === undefined;
      this.middleware =
        spec.kind === 'fields'
          ? upload.fields(spec.options.fields.map((f) => ({ name: f.name, maxCount: f.maxCount ?? 1 })))
          : this.single
            ? upload.single(spec.field)
            : upload.array(spec.field, spec.options.maxCount);
    }

    async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
      const http = context.switchToHttp();
      const req = http.getRequest<Request>();
      const res = http.getResponse<Response>();
      await new Promise<void>((resolve, reject) =>
        this.middleware(req, res, (err?: unknown) => (err ? reject(toCiHttpException(err)) : resolve())),
      );
      if (this.single) {
        if (!req.file) {
          throw new BadRequestException(`Missing file - ${(spec as { field: string }).field}`);
        }
        req.ciResult = pick(req.file);
      } else {
        const files = Array.isArray(req.files) ? req.files : Object.values(req.files ?? {}).flat();
        const results: CiUploadResults = {};
        for (const f of files) (results[f.fieldname] ??= []).push(pick(f));
        req.ciResults = results;
      }
      return next.handle();
    }
  }
  return mixin(MixinCiUploadInterceptor);
}
