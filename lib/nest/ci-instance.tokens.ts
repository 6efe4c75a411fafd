import { CiUploadTracker } from '../upload';
import { CI_CLIENT, CI_RESOLVED_OPTIONS, CI_UPLOADER } from './ci.constants';
import { CiService } from './ci.service';

/** What each `CiModule` instance exports. */
export type CiInstancePart = 'service' | 'client' | 'options' | 'uploader' | 'tracker';

const DEFAULT_TOKENS = {
  service: CiService,
  client: CI_CLIENT,
  options: CI_RESOLVED_OPTIONS,
  uploader: CI_UPLOADER,
  tracker: CiUploadTracker,
} as const;

/**
 * The injection token of one part of a `CiModule` instance: the default tokens (`CiService`, `CI_CLIENT`, ...)
 * for the unnamed instance, `CiModule:<name>:<part>` for `CiModule.forRoot({ name })`.
 *
 * @example
 * constructor(@Inject(getCiToken('client', 'avatars')) private readonly client: CiClient) {}
 */
export function getCiToken(
  part: CiInstancePart,
  name?: string,
): string | symbol | typeof CiService | typeof CiUploadTracker {
  return name === undefined ? DEFAULT_TOKENS[part] : `CiModule:${name}:${part}`;
}

/** The token of the `CiService` of the instance `name` (the unnamed one: the `CiService` class). */
export function getCiServiceToken(name?: string): string | typeof CiService {
  return name === undefined ? CiService : `CiModule:${name}:service`;
}

/** The parts an instance exports, internal token to exported token. */
export function ciInstanceExports(name: string | undefined) {
  return (Object.keys(DEFAULT_TOKENS) as CiInstancePart[]).map((part) => ({
    internal: DEFAULT_TOKENS[part],
    exported: getCiToken(part, name),
  }));
}
