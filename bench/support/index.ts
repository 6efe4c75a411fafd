// The bench's helpers. Contender and measuring child processes import the files they need directly (not this
// index), so that they never load sharp or anything else that would inflate the RSS they are measured by.
export * from './child-process';
export * from './contender-host';
export * from './cpu-profile';
export * from './images';
export * from './load-generator';
export * from './proc-stats';
export * from './stats';
