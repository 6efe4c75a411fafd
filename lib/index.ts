export * from './core';
export * from './protocol';
