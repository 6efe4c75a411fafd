import { CiValidationError } from '../core/errors';
import type { CiCredentials, CiCredentialsProvider } from './ci-client.options';

const REFRESH_MARGIN_MS = 60_000;

/** Caches credentials from a provider and asks again shortly before they expire; one call in flight at a time. */
export class CredentialsCache {
  private current?: CiCredentials;
  private pending?: Promise<CiCredentials>;

  constructor(
    private readonly source: CiCredentials | CiCredentialsProvider,
    private readonly now: () => number,
  ) {}

  /** Returns valid credentials, refreshing them from the provider when needed. */
  async get(): Promise<CiCredentials> {
    if (typeof this.source !== 'function') return this.source;
    if (this.current && !this.expiresSoon(this.current)) return this.current;
    this.pending ??= Promise.resolve()
      .then(() => (this.source as CiCredentialsProvider)())
      .then((c) => {
        if (!c?.secretId || !c?.secretKey) {
          throw new CiValidationError(
            'OPTIONS_INVALID',
            'The credentials provider returned no secretId/secretKey',
          );
        }
        this.current = c;
        return c;
      })
      .finally(() => (this.pending = undefined));
    return this.pending;
  }

  private expiresSoon(c: CiCredentials): boolean {
    if (c.expiresAt === undefined) return false;
    const at = c.expiresAt instanceof Date ? c.expiresAt.getTime() : c.expiresAt;
    return at - REFRESH_MARGIN_MS <= this.now();
  }
}
