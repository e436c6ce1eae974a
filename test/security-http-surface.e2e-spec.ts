import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { createTestApp } from './utils/test-app.js';

describe('security of the HTTP surface', () => {
  let app: NestFastifyApplication;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    app = await createTestApp();
  });

  afterAll(async () => {
    await app.close();
  });

  describe('(a) the dashboard cookie is parsed by @fastify/cookie: a malformed one is a 401, not a 500', () => {
    it.each(['queues_token=%', 'queues_token=%zz', 'other=%; queues_token=%E0%A4%A'])('answers 401 for %s', async (cookie) => {
      const response = await http().get('/api/v1/admin/queues').set('Cookie', cookie).expect(401);
      expect(response.body).toEqual({ detail: 'Could not validate credentials' });
      expect(response.headers['www-authenticate']).toBe('Bearer');
    });
  });
});
