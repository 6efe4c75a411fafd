export * from './core';
export * from './protocol';
export * from './client';
export * from './nest';
