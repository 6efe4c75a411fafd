import type { CiLogger } from '../upload';

/** Console without debug lines: the default logger off Nest. */
export const consoleLogger: CiLogger = {
  log: (m) => console.log(m),
  warn: (m) => console.warn(m),
  error: (m) => console.error(m),
};
