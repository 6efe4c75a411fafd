// Preload (node -r) that makes `sharp` unresolvable, as on a machine where the optional peer is not installed.
// Test support only: it changes what the process can find, not what the code under test does.
const Module = require('node:module');

const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request === 'sharp' || request.startsWith('sharp/')) {
    const error = new Error(`Cannot find module '${request}'`);
    error.code = 'MODULE_NOT_FOUND';
    throw error;
  }
  return resolve.call(this, request, ...rest);
};
