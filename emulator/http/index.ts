export * from './cors';
export * from './exchange';
export * from './range';
export * from './request-body';
