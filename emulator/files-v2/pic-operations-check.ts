import { CiValidationError } from '../../lib/core/errors';
import { parsePicOperations } from '../../lib/core/pic-operations';
import type { ObjectStore } from '../storage/object-store';
import { CI_PROCESSING_LEGACY_CODES } from '../processing/processing.error';
import { FilesV2Error, filesV2Errors } from './files-v2.errors';

/**
 * Checks a `Pic-Operations` header before any body is read, so a request that would fail on it is refused at once
 * (a slice upload at init, not after its last slice): -60997 for more than 5 rules, -60998 for bad JSON, a bad
 * `fileid` or a malformed rule (the engine's codes for the same faults), -4006 for a rule naming a bucket the
 * emulator does not have. Styles and the image itself are checked when processing runs.
 */
export function checkPicOperationsHeader(headerValue: string, store: ObjectStore): void {
  let rules: ReadonlyArray<{ bucket?: string }>;
  try {
    rules = parsePicOperations(headerValue).rules;
  } catch (error) {
    if (!(error instanceof CiValidationError)) throw error;
    // The engine's codes for the same faults (it sets -60997 for too many rules).
    const code = error.reason === 'TOO_MANY_RULES' ? -60997 : CI_PROCESSING_LEGACY_CODES.InvalidPicOperations;
    throw new FilesV2Error(400, code, `InvalidPicOperations: ${error.message}`, { cause: error });
  }
  for (const rule of rules) {
    if (rule.bucket !== undefined && !store.hasBucket(rule.bucket)) throw filesV2Errors.noSuchBucket(rule.bucket);
  }
}
