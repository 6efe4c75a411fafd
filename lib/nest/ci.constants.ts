/** Injection token of the module's `CiClient`. */
export const CI_CLIENT = Symbol('CI_CLIENT');

/** Injection token of the resolved (validated, defaulted) module options. */
export const CI_RESOLVED_OPTIONS = Symbol('CI_RESOLVED_OPTIONS');

/** Injection token of the module's `CiUploader` (the upload use case every route and `CiService` share). */
export const CI_UPLOADER = Symbol('CI_UPLOADER');

/** Metadata key under which `@CiUpload` records its options (`Reflector.get(CI_UPLOAD_METADATA, handler)`). */
export const CI_UPLOAD_METADATA = 'ci:upload';

export { CI_DEFAULT_FILE_SIZE } from '../upload';

/**
 * Optional (global) provider every `CiModule` applies to its options before validating them: a function
 * `(options) => options`. `CiTestingModule` provides it to send every `CiModule` of an app to the emulator.
 */
export const CI_OPTIONS_OVERRIDE = Symbol('CI_OPTIONS_OVERRIDE');
