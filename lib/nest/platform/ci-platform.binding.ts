import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CiValidationError } from '../../core/errors';

/** The Nest HTTP platforms `@CiUpload` runs on. */
export type CiPlatform = 'express' | 'fastify';

/** The part of a Fastify instance the binding uses (no import of fastify: it is an optional peer). */
interface FastifyLike {
  hasContentTypeParser(type: string): boolean;
  addContentTypeParser(
    type: string,
    parser: (req: unknown, payload: unknown, done: (err: null) => void) => void,
  ): void;
}

/**
 * Detects the HTTP platform at boot (`HttpAdapterHost`) and prepares it. On Fastify it registers a
 * `multipart/form-data` parser that leaves the body unread (unless one, such as `@fastify/multipart`'s, is
 * there already: it does not read the body either), so the same multer + busboy pipeline runs on `req.raw`
 * on both platforms: same limits, same errors, no extra package, nothing for the user to set up. Any other
 * platform fails the boot with a message naming the supported ones.
 */
@Injectable()
export class CiPlatformBinding implements OnModuleInit {
  private platform: CiPlatform = 'express';

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const adapter = this.adapterHost.httpAdapter;
    if (!adapter) return; // an application context without HTTP: nothing to bind
    const type = adapter.getType();
    if (type === 'fastify') {
      const fastify = adapter.getInstance<FastifyLike>();
      if (!fastify.hasContentTypeParser('multipart/form-data')) {
        fastify.addContentTypeParser('multipart/form-data', (_req, _payload, done) => done(null));
      }
      this.platform = 'fastify';
    } else if (type === 'express') {
      this.platform = 'express';
    } else {
      throw new CiValidationError(
        'OPTIONS_INVALID',
        `@CiUpload supports Nest on Express (@nestjs/platform-express) and on Fastify ` +
          `(@nestjs/platform-fastify); this application runs on "${type}"`,
      );
    }
  }

  /** The platform detected at boot. */
  get type(): CiPlatform {
    return this.platform;
  }

  /** Node's request and response under the platform's objects. */
  raw(req: object, res: object): { req: IncomingMessage; res: ServerResponse } {
    if (this.platform === 'fastify') {
      return {
        req: (req as { raw: IncomingMessage }).raw,
        res: (res as { raw: ServerResponse }).raw,
      };
    }
    return { req: req as IncomingMessage, res: res as ServerResponse };
  }
}
