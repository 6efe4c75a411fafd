import { Controller, Post, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import supertest from 'supertest';
import { CiResult, CiService, CiUpload, type CiUploadResult } from '../../lib';
import { CI_EMULATOR, CiTestingModule, type CiEmulator } from '../../testing';
import { PER_REQUEST_OPTIONS, perRequestCases } from '../support/per-request.cases';
import { listenOn, PLATFORMS } from './platforms';

@Controller()
class PerRequestController {
  @Post('per-request')
  @CiUpload('file', PER_REQUEST_OPTIONS)
  upload(@CiResult() result: CiUploadResult) {
    return result;
  }
}

describe.each(PLATFORMS)('@CiUpload options computed per request on Nest/%s', (platform) => {
  let app: INestApplication;
  let emulator: CiEmulator;
  let ci: CiService;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [CiTestingModule.forRoot()],
      controllers: [PerRequestController],
    }).compile();
    app = await listenOn(platform, moduleRef);
    emulator = moduleRef.get(CI_EMULATOR);
    ci = moduleRef.get(CiService);
  });
  afterAll(() => app?.close());
  beforeEach(() => emulator.reset());

  perRequestCases({
    http: () => supertest(app.getHttpServer()),
    head: (key) => ci.head(key),
    stored: async () => (await emulator.listObjects('examplebucket-1250000000')).map((o) => o.key),
  });
});
