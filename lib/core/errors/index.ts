export * from './ci.error';
export * from './ci-validation.error';
export * from './ci-response.error';
export * from './ci-transport.errors';
export * from './ci-media.error';
export * from './ci-busy.error';
export * from './ci-limit.error';
