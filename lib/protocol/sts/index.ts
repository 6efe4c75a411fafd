export * from './tc3';
export * from './federation-token';
