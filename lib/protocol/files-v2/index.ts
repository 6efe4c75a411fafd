export * from './sign';
export * from './form-body';
export * from './envelope';
export * from './requests';
export * from './region';
