import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { CiModuleOptions } from './interfaces/ci-module-options.interface';

/** The builder behind `CiModule.forRoot()` / `forRootAsync()`, with an `isGlobal` extra. */
export const {
  ConfigurableModuleClass: CiConfigurableModuleClass,
  MODULE_OPTIONS_TOKEN: CI_MODULE_OPTIONS,
  OPTIONS_TYPE: CI_MODULE_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: CI_MODULE_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<CiModuleOptions>({ moduleName: 'Ci' })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createCiOptions')
  .setExtras({ isGlobal: false }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();

/** Options of `CiModule.forRoot()`, including the `isGlobal` extra. */
export type CiModuleForRootOptions = typeof CI_MODULE_OPTIONS_TYPE;
/** Options of `CiModule.forRootAsync()`. */
export type CiModuleAsyncOptions = typeof CI_MODULE_ASYNC_OPTIONS_TYPE;
