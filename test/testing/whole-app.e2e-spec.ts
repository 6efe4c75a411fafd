import { wholeAppCases } from './whole-app.cases';

// The same cases run under vitest: whole-app.vitest.ts.
describe('CiTestingModule beside the whole AppModule (jest)', wholeAppCases);
