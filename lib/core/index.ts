export * from './errors';
export * from './result';
