export * from './verify-cos-signature';
