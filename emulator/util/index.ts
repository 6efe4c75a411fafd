export * from './byte-size';
