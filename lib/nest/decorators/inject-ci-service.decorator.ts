import { Inject } from '@nestjs/common';
import { getCiServiceToken } from '../ci-instance.tokens';

/**
 * Injects the `CiService` of a named `CiModule` instance (`CiModule.forRoot({ name })`); without a name, the
 * unnamed instance's (the same as injecting `CiService`).
 *
 * @example
 * constructor(@InjectCiService('avatars') private readonly avatars: CiService) {}
 */
export function InjectCiService(name?: string): PropertyDecorator & ParameterDecorator {
  return Inject(getCiServiceToken(name));
}
