export * from './errors';
export * from './result';
export * from './media';
export * from './templates';
export * from './rules';
export * from './pic-operations';
export * from './object';
