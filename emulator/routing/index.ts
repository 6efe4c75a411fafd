export * from './cos-router';
export * from './query-params';
export * from './resolve-target';
