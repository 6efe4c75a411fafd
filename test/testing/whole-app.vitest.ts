import { wholeAppCases } from './whole-app.cases';

// The same cases run under jest: whole-app.e2e-spec.ts.
describe('CiTestingModule beside the whole AppModule (vitest)', wholeAppCases);
