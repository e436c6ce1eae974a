import { Body, Controller, Get, Module, Param, Post } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { Public } from '../src/common/auth/public.decorator.js';
import { AcceptsForm } from '../src/common/http/media-type.guard.js';
import { TextField } from '../src/common/validation/fields.js';
import { UuidParamPipe } from '../src/common/validation/uuid-param.pipe.js';
import { createTestApp } from './utils/test-app.js';

class ProbeDto {
  @TextField({ min: 1, max: 255 })
  title: string;

  @TextField({ max: 255, optional: true, nullable: true })
  description?: string | null;
}

/** Routes that exist only to exercise the app-wide HTTP conventions. */
@Public()
@Controller('probe')
class ProbeController {
  @Post()
  create(@Body() probe: ProbeDto): ProbeDto {
    return probe;
  }

  @Post('form')
  @AcceptsForm()
  form(@Body() body: Record<string, string>): Record<string, string> {
    return body;
  }

  @Get('failure')
  fail(): never {
    throw new Error('connect to /srv/app/secret.ts failed: SELECT password FROM users');
  }

  @Get(':id')
  findOne(@Param('id', UuidParamPipe) id: string): { id: string } {
    return { id };
  }
}

@Module({ controllers: [ProbeController] })
class ProbeModule {}

describe('HTTP conventions', () => {
  let app: NestFastifyApplication;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    app = await createTestApp({}, [ProbeModule]);
  });

  afterAll(async () => {
    await app.close();
  });

  describe('routing', () => {
    it.each(['/', '/nope', '/api/v1/nope', '/api/v2/probe'])('answers a JSON 404 for %s', async (path) => {
      const response = await http().get(path).expect(404);
      expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(response.body).toEqual({ detail: 'Not Found' });
    });

    it('answers 405 with Allow for a known path and a wrong method', async () => {
      const response = await http().delete('/api/v1/probe/').expect(405);
      expect(response.body).toEqual({ detail: 'Method Not Allowed' });
      expect(response.headers.allow).toContain('POST');
      const live = await http().post('/health/live').expect(405);
      expect(live.headers.allow).toContain('GET');
    });

    it('serves a route with and without its trailing slash, without redirecting', async () => {
      await http().post('/api/v1/probe').send({ title: 'a' }).expect(201);
      await http().post('/api/v1/probe/').send({ title: 'a' }).expect(201);
    });

    it('keeps operational routes outside the API prefix', async () => {
      await http().get('/health/live').expect(200);
      await http().get('/api/v1/health/live').expect(404);
    });
  });

  describe('request bodies', () => {
    it('ignores unknown properties', async () => {
      const response = await http()
        .post('/api/v1/probe/')
        .send({ title: 'a', confirm_password: 'x', id: 'y' })
        .expect(201);
      expect(response.body).toEqual({ title: 'a' });
    });

    it('answers a FastAPI-shaped 422 for a missing or invalid field', async () => {
      const response = await http().post('/api/v1/probe/').send({ description: 5 }).expect(422);
      expect(response.body).toEqual({
        detail: [
          { type: 'missing', loc: ['body', 'title'], msg: 'Field required' },
          { type: 'string_type', loc: ['body', 'description'], msg: 'Input should be a valid string', input: 5 },
        ],
      });
    });

    it('answers 422 json_invalid for malformed JSON', async () => {
      const response = await http()
        .post('/api/v1/probe/')
        .set('Content-Type', 'application/json')
        .send('{"title": ')
        .expect(422);
      expect(response.body.detail[0]).toMatchObject({
        type: 'json_invalid',
        loc: ['body', 0],
        msg: 'JSON decode error',
      });
    });

    it('answers 422 for an empty JSON body and for a body that is not an object', async () => {
      const empty = await http().post('/api/v1/probe/').set('Content-Type', 'application/json').send('').expect(422);
      expect(empty.body.detail[0].loc).toEqual(['body']);
      for (const body of ['[1,2]', '"text"', '42', 'null']) {
        const response = await http()
          .post('/api/v1/probe/')
          .set('Content-Type', 'application/json')
          .send(body)
          .expect(422);
        expect(response.body.detail[0]).toMatchObject({ type: 'model_attributes_type', loc: ['body'] });
      }
    });

    it('answers 413 for a body over 100 KiB', async () => {
      const title = 'x'.repeat(102_400);
      const response = await http().post('/api/v1/probe/').send({ title }).expect(413);
      expect(response.body).toEqual({ detail: 'Request body too large' });
    });

    it('answers 415 for a non-JSON content type on a JSON route', async () => {
      for (const [type, body] of [
        ['text/plain', 'title=a'],
        ['application/x-www-form-urlencoded', 'title=a'],
        ['application/xml', '<title>a</title>'],
      ]) {
        const response = await http().post('/api/v1/probe/').set('Content-Type', type).send(body).expect(415);
        expect(response.body).toEqual({ detail: 'Unsupported Media Type' });
      }
    });

    it('reads a form body where a route accepts one', async () => {
      const response = await http()
        .post('/api/v1/probe/form')
        .type('form')
        .send({ username: 'a@b.c', password: 'x' })
        .expect(201);
      expect(response.body).toEqual({ username: 'a@b.c', password: 'x' });
    });

    it('answers 422 naming the parameter for a malformed UUID in a path', async () => {
      const response = await http().get('/api/v1/probe/not-a-uuid').expect(422);
      expect(response.body.detail).toEqual([
        { type: 'uuid_parsing', loc: ['path', 'id'], msg: 'Input should be a valid UUID', input: 'not-a-uuid' },
      ]);
      await http().get('/api/v1/probe/0b7e4a4e-2f7c-4d5a-9a55-3a1e9b4b8c11').expect(200);
    });
  });

  describe('unexpected errors', () => {
    it('answers a bare 500 that leaks nothing', async () => {
      const response = await http().get('/api/v1/probe/failure').expect(500);
      expect(response.body).toEqual({ detail: 'Internal Server Error' });
      expect(response.text).not.toMatch(/srv|SELECT|password|at .*\.ts/);
    });
  });

  describe('headers', () => {
    it('honours a well-formed X-Request-ID and makes one up otherwise', async () => {
      const echoed = await http().get('/health/live').set('X-Request-ID', 'proxy-abc.123').expect(200);
      expect(echoed.headers['x-request-id']).toBe('proxy-abc.123');
      const replaced = await http().get('/health/live').set('X-Request-ID', 'bad id\twith spaces').expect(200);
      expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    });

    it("sends the REST API security headers on JSON and helmet's full set on the docs pages", async () => {
      for (const path of ['/health/live', '/api/v1/utils/health-check/', '/api/v1/users/me']) {
        const response = await http().get(path);
        expect(response.headers['x-content-type-options']).toBe('nosniff');
        expect(response.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
        expect(response.headers['x-frame-options']).toBe('DENY');
        expect(response.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
        expect(response.headers['x-powered-by']).toBeUndefined();
      }
      for (const path of ['/docs', '/redoc']) {
        const page = await http().get(path);
        expect(page.headers['content-security-policy']).toContain("default-src 'self'");
        expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
        expect(page.headers['x-frame-options']).toBe('SAMEORIGIN');
        expect(page.headers['cross-origin-opener-policy']).toBe('same-origin');
        expect(page.headers['referrer-policy']).toBe('no-referrer');
      }
    });

    it('allows CORS for the frontend origin only, with credentials', async () => {
      const allowed = await http().get('/health/live').set('Origin', 'http://localhost:5173').expect(200);
      expect(allowed.headers['access-control-allow-origin']).toBe('http://localhost:5173');
      expect(allowed.headers['access-control-allow-credentials']).toBe('true');
      const other = await http().get('/health/live').set('Origin', 'https://evil.example').expect(200);
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
    });

    it('sends no CORS headers but Vary to a request without Origin', async () => {
      const response = await http().get('/health/live').expect(200);
      expect(Object.keys(response.headers).filter((name) => name.startsWith('access-control-'))).toEqual([]);
      expect(response.headers.vary).toBe('Origin');
    });

    it('answers a CORS preflight for an allowed origin', async () => {
      const response = await http()
        .options('/api/v1/probe/')
        .set('Origin', 'http://localhost:5173')
        .set('Access-Control-Request-Method', 'POST')
        .set('Access-Control-Request-Headers', 'authorization,content-type');
      expect(response.status).toBeLessThan(300);
      expect(response.headers['access-control-allow-origin']).toBe('http://localhost:5173');
      expect(response.headers['access-control-allow-methods']).toContain('POST');
    });
  });
});
