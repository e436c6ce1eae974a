import { randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { loadConfig } from '../../src/config/app-config.js';

export interface TestUser {
  id: string;
  email: string;
  password: string;
}

export interface Tokens {
  access_token: string;
  refresh_token: string;
}

export const uniqueEmail = (label = 'user') => `${label}-${randomUUID().slice(0, 8)}@example.com`;

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

export async function login(app: NestFastifyApplication, email: string, password: string): Promise<Tokens> {
  const response = await request(app.getHttpServer())
    .post('/api/v1/login/access-token')
    .type('form')
    .send({ username: email, password });
  if (response.status !== 200) throw new Error(`login of ${email} failed: ${response.status} ${response.text}`);
  return response.body as Tokens;
}

export function loginAsSuperuser(app: NestFastifyApplication): Promise<Tokens> {
  const config = loadConfig(process.env);
  return login(app, config.firstSuperuser, config.firstSuperuserPassword);
}

/** Creates a user through the API as the first superuser. */
export async function createUser(
  app: NestFastifyApplication,
  fields: { email?: string; password?: string; is_superuser?: boolean; is_active?: boolean; full_name?: string } = {},
): Promise<TestUser> {
  const admin = await loginAsSuperuser(app);
  const email = fields.email ?? uniqueEmail();
  const password = fields.password ?? `pw-${randomUUID()}`;
  const response = await request(app.getHttpServer())
    .post('/api/v1/users/')
    .set(bearer(admin.access_token))
    .send({ ...fields, email, password });
  if (response.status !== 201) throw new Error(`creating ${email} failed: ${response.status} ${response.text}`);
  return { id: response.body.id, email, password };
}

/** A new normal user and an access token of theirs. */
export async function signedInUser(app: NestFastifyApplication): Promise<{ id: string; token: string }> {
  const user = await createUser(app);
  return { id: user.id, token: (await login(app, user.email, user.password)).access_token };
}
