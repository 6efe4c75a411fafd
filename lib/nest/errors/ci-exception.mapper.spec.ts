import { HttpException, NotFoundException } from '@nestjs/common';
import multer from 'multer';
import {
  CiAbortError,
  CiBusyError,
  CiMediaError,
  CiNetworkError,
  CiProtocolError,
  CiResponseError,
  CiTimeoutError,
  CiValidationError,
} from '../../core/errors';
import { toCiHttpException } from './ci-exception.mapper';

const target = { method: 'PUT', path: '/a.jpg' };
const response = (statusCode: number, ciCode: string) =>
  new CiResponseError({ statusCode, ciCode, ciMessage: `${ciCode} message`, requestId: 'req-9', ...target });

describe('toCiHttpException', () => {
  const table: [string, unknown, number, Record<string, unknown>][] = [
    [
      'multer size limit',
      new multer.MulterError('LIMIT_FILE_SIZE', 'file'),
      413,
      { message: 'File too large - file' },
    ],
    [
      'too many files',
      new multer.MulterError('LIMIT_FILE_COUNT', 'files'),
      400,
      { message: 'Too many files - files' },
    ],
    [
      'unexpected field',
      new multer.MulterError('LIMIT_UNEXPECTED_FILE', 'other'),
      400,
      { message: 'Unexpected field - other' },
    ],
    ['too many fields', new multer.MulterError('LIMIT_FIELD_COUNT'), 400, { message: 'Too many fields' }],
    ['malformed multipart', new Error('Unexpected end of form'), 400, { error: 'Bad Request' }],
    [
      'not an image',
      new CiMediaError('NOT_AN_IMAGE', 'The file is not an image - file'),
      415,
      { error: 'Unsupported Media Type' },
    ],
    ['format not allowed', new CiMediaError('FORMAT_NOT_ALLOWED', 'gif not allowed'), 415, {}],
    ['empty file', new CiMediaError('EMPTY_FILE', 'The file is empty'), 400, {}],
    ['bad rule', new CiValidationError('RULE_MALFORMED', 'rules[0].rule: bad'), 400, {}],
    [
      'corrupt image',
      response(400, 'InvalidImageFormat'),
      422,
      { ciCode: 'InvalidImageFormat', requestId: 'req-9' },
    ],
    ['pixel bomb', response(400, 'ImageResolutionExceed'), 422, { ciCode: 'ImageResolutionExceed' }],
    ['missing object', response(404, 'NoSuchKey'), 404, { ciCode: 'NoSuchKey' }],
    [
      'bad signature',
      response(403, 'SignatureDoesNotMatch'),
      502,
      { message: 'Image storage refused the request' },
    ],
    ['missing bucket', response(404, 'NoSuchBucket'), 502, { ciCode: 'NoSuchBucket', requestId: 'req-9' }],
    ['CI 5xx', response(503, 'SlowDown'), 502, { ciCode: 'SlowDown' }],
    ['timeout', new CiTimeoutError(target, 'headers'), 504, { error: 'Gateway Timeout' }],
    [
      'reset',
      new CiNetworkError(target, { cause: Object.assign(new Error('x'), { code: 'ECONNRESET' }) }),
      502,
      {},
    ],
    ['malformed answer', new CiProtocolError('bad xml'), 502, {}],
    ['aborted by shutdown', new CiAbortError(target), 503, {}],
    [
      'upload budget full too long',
      new CiBusyError('BUDGET_WAIT_TIMEOUT', 'waited 30000 ms', 32 * 1024 * 1024),
      503,
      { error: 'Service Unavailable', message: 'Too many uploads in progress: try again later' },
    ],
  ];

  it.each(table)('%s -> %i', (_name, err, status, body) => {
    const mapped = toCiHttpException(err) as HttpException;
    expect(mapped).toBeInstanceOf(HttpException);
    expect(mapped.getStatus()).toBe(status);
    expect(mapped.getResponse()).toMatchObject({ statusCode: status, ...body });
    expect(mapped.cause).toBe(err);
  });

  it('never puts the upstream message of a refusal in the client body', () => {
    const body = (toCiHttpException(response(403, 'AccessDenied')) as HttpException).getResponse();
    expect(JSON.stringify(body)).not.toContain('AccessDenied message');
  });

  it('passes HttpExceptions, unknown errors and undefined through', () => {
    const http = new NotFoundException();
    const plain = new TypeError('bug');
    expect(toCiHttpException(http)).toBe(http);
    expect(toCiHttpException(plain)).toBe(plain);
    expect(toCiHttpException(undefined)).toBeUndefined();
  });
});
