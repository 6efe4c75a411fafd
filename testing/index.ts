export * from './ci-testing.module';
export type { CiEmulator, CiEmulatorOptions } from '../emulator';
