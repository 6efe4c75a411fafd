export * from './byte-backend';
export * from './disk.store';
export * from './key-order';
export * from './memory.store';
export * from './object-index';
export * from './object-store';
export * from './upload-id';
