export * from './cli-options';
export * from './run-cli';
export * from './connection-snippet';
export * from './missing-sharp';
