export * from './cos-http.error';
export * from './cos-errors';
export * from './error-envelope';
