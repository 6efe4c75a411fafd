export * from './cli-options';
export * from './run-cli';
export * from './connection-snippet';
