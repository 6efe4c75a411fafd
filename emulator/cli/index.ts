export * from './cli-options';
export * from './run-cli';
