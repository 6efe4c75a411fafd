// Preloaded in a child process: makes every @nestjs/* package (and rxjs) unresolvable, as when not installed.
const Module = require('node:module');
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request.startsWith('@nestjs/') || request === 'rxjs') throw new Error(`not installed: ${request}`);
  return resolveFilename.call(this, request, ...rest);
};
