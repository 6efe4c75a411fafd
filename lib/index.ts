// The public API a Nest app needs. Wire internals (signatures, request builders, XML/JSON parsers) are on
// `nestjs-tencent-ci/protocol`; the emulator and the testing module have their own entry points.
export * from './core';
export * from './client';
export * from './nest';
