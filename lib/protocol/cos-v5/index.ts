export * from './encode';
export * from './sign';
