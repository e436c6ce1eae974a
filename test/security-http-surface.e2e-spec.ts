import { jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { type AddressInfo, connect } from 'node:net';
import { Logger } from '@nestjs/common';
import { getQueueToken } from '@nestjs/bullmq';
import { JwtService } from '@nestjs/jwt';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Queue } from 'bullmq';
import request from 'supertest';
import { ECHO_QUEUE } from '../src/modules/jobs/queues.js';
import { createTestApp } from './utils/test-app.js';
import { bearer, createUser, login, loginAsSuperuser } from './utils/users.js';

const QUEUES = '/api/v1/admin/queues/api/queues';

/** Sends raw bytes and returns everything the server answers before it closes the connection. */
function rawExchange(port: number, bytes: string): Promise<{ head: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(bytes));
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const [head, body] = answer.split('\r\n\r\n');
      resolve({ head, body });
    });
  });
}

const claimsOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as Record<string, unknown>;

describe('security of the HTTP surface', () => {
  let app: NestFastifyApplication;
  let admin: string;
  /** The dashboard's browser cookie of the superuser (`queues_token=...`). */
  let dashboardCookie: string;
  /** Ids of the jobs a test may have added to the echo queue, removed at the end. */
  const probeJobIds: string[] = [];
  const http = () => request(app.getHttpServer());
  const echoQueue = () => app.get<Queue>(getQueueToken(ECHO_QUEUE));
  const jobStatus = async (jobId: string) => (await http().get(`${QUEUES}/echo/${jobId}`).set(bearer(admin))).status;

  beforeAll(async () => {
    app = await createTestApp();
    await app.listen(0, '127.0.0.1');
    admin = (await loginAsSuperuser(app)).access_token;
    const session = await http().post('/api/v1/admin/queues-session').set(bearer(admin)).expect(204);
    dashboardCookie = String(session.headers['set-cookie']).split(';')[0];
  });

  afterAll(async () => {
    await Promise.all(probeJobIds.map((jobId) => echoQueue().remove(jobId)));
    await app.close();
  });

  describe('(a) the dashboard cookie is parsed by @fastify/cookie: a malformed one is a 401, not a 500', () => {
    it.each(['queues_token=%', 'queues_token=%zz', 'other=%; queues_token=%E0%A4%A'])(
      'answers 401 for %s',
      async (cookie) => {
        const response = await http().get('/api/v1/admin/queues').set('Cookie', cookie).expect(401);
        expect(response.body).toEqual({ detail: 'Could not validate credentials' });
        expect(response.headers['www-authenticate']).toBe('Bearer');
      },
    );
  });

  describe('(b) a cookie-authenticated unsafe dashboard request must come from the API origin', () => {
    const addJob = (headers: Record<string, string>, jobId: string) => {
      probeJobIds.push(jobId);
      return http()
        .post(`${QUEUES}/echo/add`)
        .set(headers)
        .send({ name: 'cross-site-probe', data: {}, options: { jobId } });
    };
    const echoPaused = async () => {
      const { queues } = (await http().get(QUEUES).set(bearer(admin)).expect(200)).body as {
        queues: { name: string; isPaused: boolean }[];
      };
      return queues.find((queue) => queue.name === ECHO_QUEUE)!.isPaused;
    };

    it.each([
      ['a foreign Origin', { Origin: 'https://evil.example' }],
      ['Sec-Fetch-Site: cross-site', { 'Sec-Fetch-Site': 'cross-site' }],
      ['Sec-Fetch-Site: same-site', { 'Sec-Fetch-Site': 'same-site' }],
      ['an opaque Origin', { Origin: 'null' }],
      ['neither header', {}],
    ])('refuses a POST with %s and changes nothing', async (_label, headers) => {
      const jobId = `probe-${randomUUID()}`;
      const response = await addJob({ Cookie: dashboardCookie, ...headers }, jobId).expect(403);
      expect(response.body).toEqual({ detail: 'Cross-site request refused' });
      expect(await jobStatus(jobId)).toBe(404);
    });

    it('refuses every unsafe method, not only POST', async () => {
      const response = await http()
        .put(`${QUEUES}/echo/pause`)
        .set({ Cookie: dashboardCookie, Origin: 'https://evil.example' })
        .expect(403);
      expect(response.body).toEqual({ detail: 'Cross-site request refused' });
      expect(await echoPaused()).toBe(false);
    });

    it('accepts a request from its own pages: Sec-Fetch-Site same-origin, or the API origin', async () => {
      const bySecFetchSite = `probe-${randomUUID()}`;
      await addJob({ Cookie: dashboardCookie, 'Sec-Fetch-Site': 'same-origin' }, bySecFetchSite).expect(200);
      expect(await jobStatus(bySecFetchSite)).toBe(200);
      const byOrigin = `probe-${randomUUID()}`;
      await addJob(
        { Cookie: dashboardCookie, Host: 'dashboard.example:8000', Origin: 'http://dashboard.example:8000' },
        byOrigin,
      ).expect(200);
      expect(await jobStatus(byOrigin)).toBe(200);
    });

    it('lets safe methods and requests with their own credentials through', async () => {
      await http().get(QUEUES).set({ Cookie: dashboardCookie, Origin: 'https://evil.example' }).expect(200);
      const byBearer = `probe-${randomUUID()}`;
      await addJob({ ...bearer(admin), Cookie: dashboardCookie, Origin: 'https://evil.example' }, byBearer).expect(200);
      expect(await jobStatus(byBearer)).toBe(200);
      const key = (
        await http().post('/api/v1/users/me/api-keys').set(bearer(admin)).send({ name: 'cross-site' }).expect(201)
      ).body.key as string;
      const byKey = `probe-${randomUUID()}`;
      await addJob({ 'X-API-Key': key, Origin: 'https://evil.example' }, byKey).expect(200);
      expect(await jobStatus(byKey)).toBe(200);
    });
  });

  describe('(c) requests refused before routing answer {detail}, never echoing the request', () => {
    it.each([
      ['/api/v1/items/%', 400, 'Bad Request'],
      ['/%zz', 400, 'Bad Request'],
      [`/api/v1/items/${'x'.repeat(150)}`, 414, 'URI Too Long'],
    ])('answers %s with the contract shape', async (path, status, detail) => {
      const response = await http().get(path).set(bearer(admin)).expect(status);
      expect(response.body).toEqual({ detail });
      expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(response.headers['x-request-id']).toBeDefined();
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.text).not.toContain(path.slice(1, 20));
    });

    const port = () => (app.getHttpServer().address() as AddressInfo).port;

    it('answers a malformed request line with 400 {detail}', async () => {
      const { head, body } = await rawExchange(port(), 'BROKEN /probe-path-400 HTTP/1.1\r\nHost: localhost\r\n\r\n');
      expect(head).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
      expect(head).toContain('Content-Type: application/json; charset=utf-8');
      expect(body).toBe('{"detail":"Bad Request"}');
    });

    it('answers headers over 16 KiB with 431 {detail}', async () => {
      const { head, body } = await rawExchange(
        port(),
        `GET /probe-path-431 HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'a'.repeat(17 * 1024)}\r\n\r\n`,
      );
      expect(head).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
      expect(body).toBe('{"detail":"Request Header Fields Too Large"}');
      expect(body).not.toContain('probe-path');
    });
  });

  describe('(d) the dashboard answers {detail}: input BullMQ refuses is a 400, a fault a logged 500', () => {
    it.each(['a:b', '42'])('answers 400 for a job added with the custom id %s', async (jobId) => {
      const response = await http()
        .post(`${QUEUES}/echo/add`)
        .set(bearer(admin))
        .send({ name: 'probe', data: {}, options: { jobId } })
        .expect(400);
      expect(response.body).toEqual({ detail: 'Bad Request' });
      expect(await jobStatus(jobId)).toBe(404);
    });

    it('answers the refusals bull-board makes itself in the contract shape', async () => {
      expect((await http().get(`${QUEUES}/nope/metrics`).set(bearer(admin)).expect(404)).body).toEqual({
        detail: 'Not Found',
      });
      expect((await http().get(`${QUEUES}/echo/no-such-job`).set(bearer(admin)).expect(404)).body).toEqual({
        detail: 'Not Found',
      });
      const badBody = await http()
        .patch(`${QUEUES}/echo/no-such-job/delay`)
        .set(bearer(admin))
        .send({ runAt: 'soon' })
        .expect(400);
      expect(badBody.body).toEqual({ detail: 'Bad Request' });
      const badJson = await http()
        .post(`${QUEUES}/echo/add`)
        .set(bearer(admin))
        .set('Content-Type', 'application/json')
        .send('{')
        .expect(422);
      expect(badJson.body.detail[0]).toMatchObject({ type: 'json_invalid' });
    });

    it('answers an unexpected failure with a bare 500, logged with the request id', async () => {
      const failure = jest
        .spyOn(echoQueue(), 'getJobCounts')
        .mockRejectedValue(new TypeError('cannot read /srv/app/queue.ts'));
      const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
      try {
        const response = await http().get(QUEUES).set(bearer(admin)).expect(500);
        expect(response.body).toEqual({ detail: 'Internal Server Error' });
        expect(logged).toHaveBeenCalledWith(expect.stringContaining(`[request ${response.headers['x-request-id']}]`));
      } finally {
        failure.mockRestore();
        logged.mockRestore();
      }
    });
  });

  describe('(e) a token without exp is refused', () => {
    const jwt = () => new JwtService({ secret: process.env.SECRET_KEY });

    it('refuses an access token of a live session without exp (or iat) with 401', async () => {
      const user = await createUser(app);
      const { sub, sid, typ } = claimsOf((await login(app, user.email, user.password)).access_token);
      const me = (token: string) => http().get('/api/v1/users/me').set(bearer(token));
      await me(await jwt().signAsync({ sub, sid, typ }, { expiresIn: 60 })).expect(200);
      const withoutExp = await jwt().signAsync({ sub, sid, typ });
      const withoutIat = await jwt().signAsync({ sub, sid, typ }, { expiresIn: 60, noTimestamp: true });
      for (const token of [withoutExp, withoutIat]) {
        const response = await me(token).expect(401);
        expect(response.body).toEqual({ detail: 'Could not validate credentials' });
        expect(response.headers['www-authenticate']).toBe('Bearer');
      }
    });

    it('refuses a password reset token without exp with 400 Invalid token', async () => {
      const user = await createUser(app);
      const preview = await http()
        .post(`/api/v1/password-recovery-html-content/${user.email}`)
        .set(bearer(admin))
        .expect(200);
      const { sub, typ, ver } = claimsOf(preview.text.match(/reset-password\?token=([\w.-]+)/)![1]);
      const reset = (token: string) =>
        http().post('/api/v1/reset-password/').send({ token, new_password: 'a new password' });
      expect((await reset(await jwt().signAsync({ sub, typ, ver })).expect(400)).body).toEqual({
        detail: 'Invalid token',
      });
      await reset(await jwt().signAsync({ sub, typ, ver }, { expiresIn: 60 })).expect(200);
    });
  });
});
