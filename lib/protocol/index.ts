export * from './cos-v5';
