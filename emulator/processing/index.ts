export * from './pic-processor';
