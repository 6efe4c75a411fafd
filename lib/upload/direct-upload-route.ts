import { CiValidationError } from '../core/errors';
import type { CiDirectUploadProfile, CiDirectUploads, CiUploadTicket } from './direct-upload';
import type { CiUploadResult } from './upload.result';

/** The two routes of one upload profile, framework-free: the adapters wrap them. */
export interface CiDirectUploadRoute {
  /** Name for messages (`directUploadRoute('avatar')`). */
  readonly where: string;
  /** Issues a ticket for the file the body declares: `{ contentType, size?, originalName? }`. */
  ticket(body: unknown, request?: unknown): Promise<CiUploadTicket>;
  /** Confirms the upload of a ticket: `{ token }`. */
  confirm(body: unknown): Promise<CiUploadResult>;
}

function bodyField(body: unknown, name: string): unknown {
  return body && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined;
}

function bad(field: string, message: string): CiValidationError {
  return new CiValidationError('OPTIONS_INVALID', `${field} ${message}`, { field });
}

/**
 * Compiles `profile` once (a bad rule throws now, naming `where`) and returns its ticket and confirm routes, which
 * check the client's body: `contentType` a string, `size` a positive integer when given, `originalName` a string when
 * given, `token` a string (400 otherwise).
 */
export function createDirectUploadRoute(
  direct: CiDirectUploads,
  profile: CiDirectUploadProfile,
  where: string,
): CiDirectUploadRoute {
  const compiled = direct.compile(profile, where);
  return {
    where,
    async ticket(body, request) {
      const contentType = bodyField(body, 'contentType');
      const size = bodyField(body, 'size');
      const originalName = bodyField(body, 'originalName');
      if (typeof contentType !== 'string')
        throw bad('contentType', 'is required (the file type, image/jpeg)');
      if (size !== undefined && (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 1)) {
        throw bad('size', 'must be a positive integer');
      }
      if (originalName !== undefined && typeof originalName !== 'string')
        throw bad('originalName', 'must be a string');
      return direct.createTicket(compiled, { contentType, size, originalName, request: request ?? {} });
    },
    async confirm(body) {
      const token = bodyField(body, 'token');
      if (typeof token !== 'string' || !token) throw bad('token', "is required (the ticket's token)");
      return direct.confirm(token);
    },
  };
}
