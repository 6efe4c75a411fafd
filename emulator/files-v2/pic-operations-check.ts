import { CiValidationError } from '../../lib/core/errors';
import { parsePicOperations, type ParsedPicOperations } from '../../lib/core/pic-operations';
import { CI_PROCESSING_LEGACY_CODES, CiProcessingError } from '../processing/processing.error';
import { type CiStyles, planRule } from '../processing/rule-plan';
import type { ObjectStore } from '../storage/object-store';
import { FilesV2Error, filesV2Errors, processingError } from './files-v2.errors';

/**
 * Checks a `Pic-Operations` header before any body is read, so that a request failing on it is refused at once
 * (a slice upload at init, not after its last slice): -60997 for more than 5 rules, -60998 for bad JSON, a bad
 * `fileid` or a malformed rule, what the engine's planner refuses (an operation it cannot execute: -60998; an
 * unknown style: -60967), -4006 for a rule naming a bucket the emulator does not have. The image is checked when
 * processing runs.
 */
export function checkPicOperationsHeader(headerValue: string, store: ObjectStore, styles?: CiStyles): void {
  let parsed: ParsedPicOperations;
  try {
    parsed = parsePicOperations(headerValue);
  } catch (error) {
    if (!(error instanceof CiValidationError)) throw error;
    // The engine's codes for the same faults (it sets -60997 for too many rules).
    const code = error.reason === 'TOO_MANY_RULES' ? -60997 : CI_PROCESSING_LEGACY_CODES.InvalidPicOperations;
    throw new FilesV2Error(400, code, `InvalidPicOperations: ${error.message}`, { cause: error });
  }
  for (const [index, entry] of parsed.rules.entries()) {
    try {
      planRule(entry.rule, styles);
    } catch (error) {
      if (!(error instanceof CiProcessingError)) throw error;
      throw processingError(error.withPrefix(`rules[${index}]`));
    }
    if (entry.bucket !== undefined && !store.hasBucket(entry.bucket))
      throw filesV2Errors.noSuchBucket(entry.bucket);
  }
}
