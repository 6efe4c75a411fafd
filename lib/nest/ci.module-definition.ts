import { ConfigurableModuleBuilder, type DynamicModule } from '@nestjs/common';
import { ciInstanceExports } from './ci-instance.tokens';
import type { CiModuleOptions } from './interfaces/ci-module-options.interface';

/** The extras of `forRoot()` / `forRootAsync()`: they shape the module, not the client. */
export interface CiModuleExtras {
  /** Register the module globally. Default `false`. */
  isGlobal?: boolean;
  /**
   * Names this instance (another bucket or account): its service is injected with `@InjectCiService(name)`,
   * its routes say `@CiUpload('file', { instance: name })`. Default: the unnamed instance (`CiService`).
   */
  name?: string;
}

/**
 * Exports the instance's parts under its tokens: the default ones (`CiService`, `CI_CLIENT`, ...) for the
 * unnamed instance, `CiModule:<name>:<part>` aliases for a named one, so two instances never shadow each other.
 */
function exportInstance(definition: DynamicModule, extras: CiModuleExtras): DynamicModule {
  const parts = ciInstanceExports(extras.name);
  const aliases = extras.name
    ? parts.map((p) => ({ provide: p.exported as string, useExisting: p.internal }))
    : [];
  return {
    ...definition,
    global: extras.isGlobal,
    providers: [...(definition.providers ?? []), ...aliases],
    exports: [...(definition.exports ?? []), ...parts.map((p) => p.exported)],
  };
}

/** The builder behind `CiModule.forRoot()` / `forRootAsync()`, with the `isGlobal` and `name` extras. */
export const {
  ConfigurableModuleClass: CiConfigurableModuleClass,
  MODULE_OPTIONS_TOKEN: CI_MODULE_OPTIONS,
  OPTIONS_TYPE: CI_MODULE_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: CI_MODULE_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<CiModuleOptions>({ moduleName: 'Ci' })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createCiOptions')
  .setExtras<CiModuleExtras>({ isGlobal: false, name: undefined }, exportInstance)
  .build();

/** Options of `CiModule.forRoot()`, including the `isGlobal` extra. */
export type CiModuleForRootOptions = typeof CI_MODULE_OPTIONS_TYPE;
/** Options of `CiModule.forRootAsync()`. */
export type CiModuleAsyncOptions = typeof CI_MODULE_ASYNC_OPTIONS_TYPE;
