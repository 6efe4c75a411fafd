export * from './object-headers';
