export * from './disk.store';
export * from './key-order';
export * from './memory.store';
export * from './object-store';
export * from './upload-id';
