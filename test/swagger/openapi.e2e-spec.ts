import { Controller, Module, Post, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  ApiCreatedResponse,
  ApiOkResponse,
  DocumentBuilder,
  SwaggerModule,
  type OpenAPIObject,
} from '@nestjs/swagger';
import request from 'supertest';
import {
  CiResult,
  CiResults,
  CiUpload,
  CiUploadResultDto,
  type CiUploadResult,
  type CiUploadResults,
} from '../../lib';
import { CiTestingModule } from '../../testing';
import { photoJpeg } from '../support/images';

@Controller()
class DocumentedController {
  @Post('avatar')
  @CiUpload('file')
  avatar(@CiResult() result: CiUploadResult) {
    return result;
  }

  @Post('gallery')
  @CiUpload('files', { maxCount: 4 })
  gallery(@CiResults('files') files: CiUploadResult[]) {
    return files;
  }

  @Post('profile')
  @CiUpload({ fields: [{ name: 'avatar' }, { name: 'covers', maxCount: 3 }] })
  profile(@CiResults() results: CiUploadResults) {
    return results;
  }

  @Post('keys')
  @ApiCreatedResponse({ description: 'Only the keys', schema: { type: 'array', items: { type: 'string' } } })
  @CiUpload('files', { maxCount: 2 })
  keys(@CiResults('files') files: CiUploadResult[]) {
    return files.map((f) => f.key);
  }

  @Post('typed')
  @ApiOkResponse({ type: CiUploadResultDto })
  @CiUpload('file')
  typed(@CiResult() result: CiUploadResult) {
    return result;
  }
}

@Module({ imports: [CiTestingModule.forRoot()], controllers: [DocumentedController] })
class DocumentedModule {}

describe('Swagger: @CiUpload routes in the generated OpenAPI document', () => {
  let app: INestApplication;
  let doc: OpenAPIObject;
  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [DocumentedModule] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    doc = SwaggerModule.createDocument(app, new DocumentBuilder().setTitle('t').build());
  });
  afterAll(() => app.close());

  const body = (path: string) =>
    doc.paths[path]!.post!.requestBody as { content: Record<string, { schema: unknown }> };
  const binary = { type: 'string', format: 'binary' };

  it('one file: a required binary field, a 201 of CiUploadResultDto, the refusals', () => {
    expect(body('/avatar').content).toEqual({
      'multipart/form-data': {
        schema: {
          type: 'object',
          required: ['file'],
          properties: { file: { ...binary, description: 'An image file' } },
        },
      },
    });
    const responses = doc.paths['/avatar']!.post!.responses;
    expect(responses['201']).toEqual({
      description: '',
      content: { 'application/json': { schema: { $ref: '#/components/schemas/CiUploadResultDto' } } },
    });
    expect(Object.keys(responses).sort()).toEqual(['201', '400', '413', '415']);
  });

  it('many files: an array of binaries with maxItems = maxCount, and an array response', () => {
    expect(body('/gallery').content['multipart/form-data']!.schema).toEqual({
      type: 'object',
      required: ['files'],
      properties: {
        files: { type: 'array', items: binary, maxItems: 4, description: 'Up to 4 image files' },
      },
    });
    expect(doc.paths['/gallery']!.post!.responses['201']).toMatchObject({
      content: {
        'application/json': {
          schema: { type: 'array', items: { $ref: '#/components/schemas/CiUploadResultDto' } },
        },
      },
    });
  });

  it('several fields: one property per field, arrays of results by field', () => {
    expect(body('/profile').content['multipart/form-data']!.schema).toEqual({
      type: 'object',
      properties: {
        avatar: { ...binary, description: 'An image file' },
        covers: { type: 'array', items: binary, maxItems: 3, description: 'Up to 3 image files' },
      },
    });
    const item = { type: 'array', items: { $ref: '#/components/schemas/CiUploadResultDto' } };
    expect(doc.paths['/profile']!.post!.responses['201']).toMatchObject({
      content: {
        'application/json': { schema: { type: 'object', properties: { avatar: item, covers: item } } },
      },
    });
  });

  it("a route's own response declaration wins over the default one", () => {
    expect(doc.paths['/keys']!.post!.responses['201']).toEqual({
      description: 'Only the keys',
      content: { 'application/json': { schema: { type: 'array', items: { type: 'string' } } } },
    });
  });

  it('the result classes describe the whole result, nested types included', () => {
    expect(doc.paths['/typed']!.post!.responses['200']).toMatchObject({
      content: { 'application/json': { schema: { $ref: '#/components/schemas/CiUploadResultDto' } } },
    });
    const schemas = doc.components!.schemas as Record<
      string,
      { properties: Record<string, unknown>; required: string[] }
    >;
    expect(Object.keys(schemas.CiUploadResultDto!.properties).sort()).toEqual(
      Object.keys(CiUploadResultDto._OPENAPI_METADATA_FACTORY()).sort(),
    );
    expect(schemas.CiUploadResultDto!.required).toEqual(
      expect.arrayContaining(['fieldname', 'key', 'bucket', 'size', 'mimetype', 'originalName', 'imageInfo']),
    );
    expect(schemas.CiUploadResultDto!.properties.imageInfo).toEqual({
      allOf: [{ $ref: '#/components/schemas/CiImageInfoDto' }],
      description: "CI's processing result",
    });
    expect(schemas.CiImageInfoDto!.properties.processResults).toEqual(
      expect.objectContaining({ type: 'array', items: { $ref: '#/components/schemas/CiProcessResultDto' } }),
    );
    expect(schemas.CiProcessResultDto!.properties.width).toEqual(expect.objectContaining({ type: 'number' }));
    expect(schemas.CiProcessResultDto!.properties.raw).toEqual({
      type: 'object',
      additionalProperties: true,
      description: 'Every other field CI sent for this output',
    });
    expect(schemas.CiProcessResultDto!.required).toEqual(['key', 'raw']);
  });

  it('a real upload answers what the document says: every required field of CiUploadResultDto is there', async () => {
    const res = await request(app.getHttpServer())
      .post('/avatar')
      .attach('file', await photoJpeg(320, 200), 'a.jpg');
    expect(res.status).toBe(201);
    const schemas = doc.components!.schemas as Record<string, { required: string[] }>;
    for (const field of schemas.CiUploadResultDto!.required) expect(res.body).toHaveProperty(field);
    for (const field of schemas.CiImageInfoDto!.required) expect(res.body.imageInfo).toHaveProperty(field);
  });
});
