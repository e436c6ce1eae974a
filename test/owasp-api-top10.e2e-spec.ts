import { randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { DETAIL } from '../src/common/errors/domain-error.js';
import { committedOpenApiDocument, operationsOf } from './fuzz/openapi-operations.js';
import { createTestApp } from './utils/test-app.js';
import { bearer, createUser, login } from './utils/users.js';

/** OWASP API Security Top 10 (2023) checks over the whole documented API. */

type CallerKind = 'anonymous' | 'owner' | 'other' | 'superuser' | 'ownerKey' | 'ownerReadOnlyKey';
const CALLERS: CallerKind[] = ['anonymous', 'owner', 'other', 'superuser', 'ownerKey', 'ownerReadOnlyKey'];
type Headers = Record<string, string>;

const document = committedOpenApiDocument();
const operations = operationsOf(document);

describe('OWASP API Security Top 10', () => {
  let app: NestFastifyApplication;
  const headersOf = {} as Record<CallerKind, Headers>;
  let owner: { id: string; email: string };
  let other: { id: string };
  let superuser: Headers;

  const call = (method: string, url: string, headers: Headers = {}, payload?: object) =>
    app.inject({ method: method as 'GET', url, headers, payload });
  const created = async (url: string, headers: Headers, payload: object) =>
    (await call('POST', url, headers, payload)).json<{ id: string; job_id?: string }>();
  const signedIn = async (fields: { is_superuser?: boolean } = {}) => {
    const password = `pw-${randomUUID()}`;
    const user = await createUser(app, { password, ...fields });
    return { ...user, headers: bearer((await login(app, user.email, password)).access_token) };
  };

  beforeAll(async () => {
    // Limits counted here stay here (recovery requests, failures).
    app = await createTestApp({ redisKeyPrefix: `test-owasp-${randomUUID()}` });
    const ownerUser = await signedIn();
    const otherUser = await signedIn();
    const superUser = await signedIn({ is_superuser: true });
    owner = ownerUser;
    other = otherUser;
    superuser = superUser.headers;
    const fullKey = await call('POST', '/api/v1/users/me/api-keys', ownerUser.headers, { name: 'script' });
    const readOnlyKey = await call('POST', '/api/v1/users/me/api-keys', ownerUser.headers, {
      name: 'reader',
      read_only: true,
    });
    Object.assign(headersOf, {
      anonymous: {},
      owner: ownerUser.headers,
      other: otherUser.headers,
      superuser: superUser.headers,
      ownerKey: { 'X-API-Key': fullKey.json<{ key: string }>().key },
      ownerReadOnlyKey: { 'X-API-Key': readOnlyKey.json<{ key: string }>().key },
    });
  });

  afterAll(async () => {
    await app.close();
  });

  describe('API1 object level and API5 function level authorization', () => {
    /** Per `{id}` operation: what it is called on (made anew for each caller), and each caller's status. */
    const matrix: Record<
      string,
      { target: () => Promise<{ url: string; body?: object }>; expect: Record<CallerKind, number> }
    > = {
      'GET /api/v1/items/{id}': {
        target: async () => ({
          url: `/api/v1/items/${(await created('/api/v1/items/', headersOf.owner, { title: 'mine' })).id}`,
        }),
        expect: { anonymous: 401, owner: 200, other: 403, superuser: 200, ownerKey: 200, ownerReadOnlyKey: 200 },
      },
      'PUT /api/v1/items/{id}': {
        target: async () => ({
          url: `/api/v1/items/${(await created('/api/v1/items/', headersOf.owner, { title: 'mine' })).id}`,
          body: { title: 'changed' },
        }),
        expect: { anonymous: 401, owner: 200, other: 403, superuser: 200, ownerKey: 200, ownerReadOnlyKey: 403 },
      },
      'DELETE /api/v1/items/{id}': {
        target: async () => ({
          url: `/api/v1/items/${(await created('/api/v1/items/', headersOf.owner, { title: 'mine' })).id}`,
        }),
        expect: { anonymous: 401, owner: 204, other: 403, superuser: 204, ownerKey: 204, ownerReadOnlyKey: 403 },
      },
      'GET /api/v1/users/{user_id}': {
        target: async () => ({ url: `/api/v1/users/${owner.id}` }),
        expect: { anonymous: 401, owner: 200, other: 403, superuser: 200, ownerKey: 200, ownerReadOnlyKey: 200 },
      },
      'PATCH /api/v1/users/{user_id}': {
        target: async () => ({ url: `/api/v1/users/${owner.id}`, body: { full_name: 'Renamed' } }),
        expect: { anonymous: 401, owner: 403, other: 403, superuser: 200, ownerKey: 403, ownerReadOnlyKey: 403 },
      },
      'DELETE /api/v1/users/{user_id}': {
        target: async () => ({ url: `/api/v1/users/${(await createUser(app)).id}` }),
        expect: { anonymous: 401, owner: 403, other: 403, superuser: 204, ownerKey: 403, ownerReadOnlyKey: 403 },
      },
      'GET /api/v1/users/{user_id}/api-keys': {
        target: async () => ({ url: `/api/v1/users/${owner.id}/api-keys` }),
        expect: { anonymous: 401, owner: 200, other: 403, superuser: 200, ownerKey: 200, ownerReadOnlyKey: 200 },
      },
      'DELETE /api/v1/users/{user_id}/api-keys/{key_id}': {
        target: async () => ({
          url: `/api/v1/users/${owner.id}/api-keys/${(await created('/api/v1/users/me/api-keys', headersOf.owner, { name: 'k' })).id}`,
        }),
        expect: { anonymous: 401, owner: 204, other: 403, superuser: 204, ownerKey: 204, ownerReadOnlyKey: 403 },
      },
      'DELETE /api/v1/users/me/api-keys/{key_id}': {
        target: async () => ({
          url: `/api/v1/users/me/api-keys/${(await created('/api/v1/users/me/api-keys', headersOf.owner, { name: 'k' })).id}`,
        }),
        expect: { anonymous: 401, owner: 204, other: 404, superuser: 404, ownerKey: 204, ownerReadOnlyKey: 403 },
      },
      'GET /api/v1/jobs/{job_id}': {
        target: async () => ({
          url: `/api/v1/jobs/${(await created('/api/v1/utils/test-queue/', superuser, { message: 'm' })).job_id}`,
        }),
        expect: { anonymous: 401, owner: 403, other: 403, superuser: 200, ownerKey: 403, ownerReadOnlyKey: 403 },
      },
      'POST /api/v1/password-recovery/{email}': {
        // Public: credentials, a read-only key's included, are not looked at.
        // A user of its own each time: recovery requests are limited per email.
        target: async () => ({ url: `/api/v1/password-recovery/${encodeURIComponent((await createUser(app)).email)}` }),
        expect: { anonymous: 200, owner: 200, other: 200, superuser: 200, ownerKey: 200, ownerReadOnlyKey: 200 },
      },
      'DELETE /api/v1/users/me/identities/{id}': {
        // An identity linked to the owner, who has a password: unlinking it is allowed, by a session.
        target: async () => {
          const [identity] = await app
            .get(DataSource)
            .query<{ id: string }[]>(
              `INSERT INTO user_identities (user_id, provider, issuer, subject, email, last_sign_in_at) VALUES ($1, 'acme', 'https://login.acme.example', $2, $3, now()) RETURNING id`,
              [owner.id, randomUUID(), owner.email],
            );
          return { url: `/api/v1/users/me/identities/${identity.id}` };
        },
        expect: { anonymous: 401, owner: 204, other: 404, superuser: 404, ownerKey: 403, ownerReadOnlyKey: 403 },
      },
      // Public, and no provider is configured here: every caller is told so alike.
      'GET /api/v1/login/oidc/{provider}': {
        target: async () => ({ url: '/api/v1/login/oidc/acme' }),
        expect: { anonymous: 404, owner: 404, other: 404, superuser: 404, ownerKey: 404, ownerReadOnlyKey: 404 },
      },
      'GET /api/v1/login/oidc/{provider}/callback': {
        target: async () => ({ url: '/api/v1/login/oidc/acme/callback?code=c&state=s' }),
        expect: { anonymous: 404, owner: 404, other: 404, superuser: 404, ownerKey: 404, ownerReadOnlyKey: 404 },
      },
      'POST /api/v1/password-recovery-html-content/{email}': {
        target: async () => ({ url: `/api/v1/password-recovery-html-content/${encodeURIComponent(owner.email)}` }),
        expect: { anonymous: 401, owner: 403, other: 403, superuser: 200, ownerKey: 403, ownerReadOnlyKey: 403 },
      },
    };

    /** An organization's routes, by role: each call gets an organization of its own. */
    const ORG_CALLERS = ['nonMember', 'viewer', 'member', 'admin', 'owner', 'superuser', 'ownerReadOnlyKey'] as const;
    type OrgCaller = (typeof ORG_CALLERS)[number];
    const orgRoles: Record<'viewer' | 'member' | 'admin', { id: string; headers: Headers }> = {} as never;
    /** A new organization of `owner`'s, where the role users hold their roles; its id. */
    const team = async () => {
      const organization = await created('/api/v1/organizations/', headersOf.owner, { name: 'Matrix' });
      const dataSource = app.get(DataSource);
      for (const [role, user] of Object.entries(orgRoles))
        await dataSource.query('INSERT INTO memberships (organization_id, user_id, role) VALUES ($1, $2, $3)', [
          organization.id,
          user.id,
          role,
        ]);
      return organization.id;
    };
    const orgStatuses = (statuses: number[]) =>
      Object.fromEntries(ORG_CALLERS.map((caller, index) => [caller, statuses[index]])) as Record<OrgCaller, number>;
    //                              non-member viewer member admin owner superuser read-only key
    const readable = orgStatuses([404, 200, 200, 200, 200, 200, 200]);
    const byAdmins = (ok: number) => orgStatuses([404, 403, 403, ok, ok, ok, 403]);
    const byMembers = (ok: number) => orgStatuses([404, 403, ok, ok, ok, ok, 403]);
    const orgItem = async () => {
      const id = await team();
      const item = await created(`/api/v1/organizations/${id}/items/`, headersOf.owner, { title: 'shared' });
      return `/api/v1/organizations/${id}/items/${item.id}`;
    };
    const organizationMatrix: Record<
      string,
      { target: () => Promise<{ url: string; body?: object }>; expect: Record<OrgCaller, number> }
    > = {
      'GET /api/v1/organizations/{org_id}': {
        target: async () => ({ url: `/api/v1/organizations/${await team()}` }),
        expect: readable,
      },
      'PATCH /api/v1/organizations/{org_id}': {
        target: async () => ({ url: `/api/v1/organizations/${await team()}`, body: { name: 'Renamed' } }),
        expect: byAdmins(200),
      },
      'DELETE /api/v1/organizations/{org_id}': {
        target: async () => ({ url: `/api/v1/organizations/${await team()}` }),
        expect: orgStatuses([404, 403, 403, 403, 204, 204, 403]),
      },
      'GET /api/v1/organizations/{org_id}/members': {
        target: async () => ({ url: `/api/v1/organizations/${await team()}/members` }),
        expect: readable,
      },
      'PATCH /api/v1/organizations/{org_id}/members/{user_id}': {
        target: async () => ({
          url: `/api/v1/organizations/${await team()}/members/${orgRoles.member.id}`,
          body: { role: 'viewer' },
        }),
        expect: byAdmins(200),
      },
      'DELETE /api/v1/organizations/{org_id}/members/{user_id}': {
        target: async () => {
          const id = await team();
          const leaving = await createUser(app);
          await app
            .get(DataSource)
            .query(`INSERT INTO memberships (organization_id, user_id, role) VALUES ($1, $2, 'viewer')`, [
              id,
              leaving.id,
            ]);
          return { url: `/api/v1/organizations/${id}/members/${leaving.id}` };
        },
        expect: byAdmins(204),
      },
      'GET /api/v1/organizations/{org_id}/invitations': {
        target: async () => ({ url: `/api/v1/organizations/${await team()}/invitations` }),
        expect: orgStatuses([404, 403, 403, 200, 200, 200, 200]),
      },
      'POST /api/v1/organizations/{org_id}/invitations': {
        target: async () => ({
          url: `/api/v1/organizations/${await team()}/invitations`,
          body: { email: `invited-${randomUUID()}@example.com`, role: 'viewer' },
        }),
        expect: byAdmins(201),
      },
      'DELETE /api/v1/organizations/{org_id}/invitations/{invitation_id}': {
        target: async () => {
          const id = await team();
          const invitation = await created(`/api/v1/organizations/${id}/invitations`, headersOf.owner, {
            email: `invited-${randomUUID()}@example.com`,
            role: 'viewer',
          });
          return { url: `/api/v1/organizations/${id}/invitations/${invitation.id}` };
        },
        expect: byAdmins(204),
      },
      'GET /api/v1/organizations/{org_id}/items': {
        target: async () => ({ url: `/api/v1/organizations/${await team()}/items/` }),
        expect: readable,
      },
      'POST /api/v1/organizations/{org_id}/items': {
        target: async () => ({ url: `/api/v1/organizations/${await team()}/items/`, body: { title: 'new' } }),
        expect: byMembers(201),
      },
      'GET /api/v1/organizations/{org_id}/items/{id}': {
        target: async () => ({ url: await orgItem() }),
        expect: readable,
      },
      'PUT /api/v1/organizations/{org_id}/items/{id}': {
        target: async () => ({ url: await orgItem(), body: { title: 'changed' } }),
        expect: byMembers(200),
      },
      'DELETE /api/v1/organizations/{org_id}/items/{id}': {
        target: async () => ({ url: await orgItem() }),
        expect: byMembers(204),
      },
    };

    it('has a row for every documented operation on an {id}', () => {
      const withId = operations
        .filter((operation) => operation.pathParameters.length > 0)
        .map((operation) => `${operation.method} ${operation.path}`);
      expect(withId.sort()).toEqual([...Object.keys(matrix), ...Object.keys(organizationMatrix)].sort());
    });

    it.each(Object.keys(organizationMatrix))(
      '%s answers a non-member, each role, a superuser and a read-only key as it should',
      async (operation) => {
        if (!orgRoles.viewer)
          for (const role of ['viewer', 'member', 'admin'] as const) {
            const user = await signedIn();
            orgRoles[role] = { id: user.id, headers: user.headers };
          }
        const headersOfOrgCaller: Record<OrgCaller, Headers> = {
          nonMember: headersOf.other,
          viewer: orgRoles.viewer.headers,
          member: orgRoles.member.headers,
          admin: orgRoles.admin.headers,
          owner: headersOf.owner,
          superuser: headersOf.superuser,
          ownerReadOnlyKey: headersOf.ownerReadOnlyKey,
        };
        const [method] = operation.split(' ');
        const row = organizationMatrix[operation];
        const answers = {} as Record<OrgCaller, number>;
        for (const caller of ORG_CALLERS) {
          const { url, body } = await row.target();
          answers[caller] = (await call(method, url, headersOfOrgCaller[caller], body)).statusCode;
        }
        expect(answers).toEqual(row.expect);
      },
    );

    it.each(Object.keys(matrix))('%s answers each kind of caller as it should', async (operation) => {
      const [method] = operation.split(' ');
      const row = matrix[operation];
      const answers = {} as Record<CallerKind, number>;
      for (const caller of CALLERS) {
        const { url, body } = await row.target();
        answers[caller] = (await call(method, url, headersOf[caller], body)).statusCode;
      }
      expect(answers).toEqual(row.expect);
    });

    it('refuses an API key, even a full one, on what changes how an account signs in or what it may do', async () => {
      const sessionOnly = operations.filter((operation) =>
        JSON.stringify(document.paths[operation.path][operation.method.toLowerCase()]).includes(
          DETAIL.SESSION_REQUIRED,
        ),
      );
      expect(sessionOnly.map((operation) => `${operation.method} ${operation.path}`).sort()).toEqual([
        'DELETE /api/v1/users/me',
        'DELETE /api/v1/users/me/identities/{id}',
        'PATCH /api/v1/users/me',
        'PATCH /api/v1/users/me/password',
        'PATCH /api/v1/users/{user_id}',
        'POST /api/v1/admin/queues-session',
        'POST /api/v1/users',
        'POST /api/v1/users/me/api-keys',
      ]);
      const superuserId = (await call('GET', '/api/v1/users/me', superuser)).json<{ id: string }>().id;
      // The superuser routes need a session only for what their body sets: these bodies set it.
      const paths: Record<string, string> = { 'PATCH /api/v1/users/{user_id}': `/api/v1/users/${superuserId}` };
      const bodies: Record<string, object> = {
        'PATCH /api/v1/users/{user_id}': { password: 'a password of the attacker' },
        'POST /api/v1/users': {
          email: `made-super-${randomUUID()}@example.com`,
          password: 'a long enough password',
          is_superuser: true,
        },
        'PATCH /api/v1/users/me': { email: `taken-over-${randomUUID()}@example.com` },
        'PATCH /api/v1/users/me/password': { current_password: 'unknown to a script', new_password: 'a new password' },
        'POST /api/v1/users/me/api-keys': { name: 'forever' },
      };
      // A superuser's key, so that no other guard (superuser-only) answers first.
      const key = await call('POST', '/api/v1/users/me/api-keys', superuser, { name: 'admin script' });
      const superuserKey = { 'X-API-Key': key.json<{ key: string }>().key };
      for (const operation of sessionOnly) {
        const name = `${operation.method} ${operation.path}`;
        const response = await call(operation.method, paths[name] ?? operation.path, superuserKey, bodies[name]);
        expect({ operation: operation.id, status: response.statusCode, body: response.json() }).toEqual({
          operation: operation.id,
          status: 403,
          body: { detail: DETAIL.SESSION_REQUIRED },
        });
      }
      expect((await call('GET', '/api/v1/users/me', superuserKey)).statusCode).toBe(200);
    });

    it('answers a normal user on every superuser-only operation with 403', async () => {
      const superuserOnly = operations.filter((operation) =>
        JSON.stringify(document.paths[operation.path][operation.method.toLowerCase()]).includes(
          DETAIL.NOT_ENOUGH_PRIVILEGES,
        ),
      );
      expect(superuserOnly.length).toBeGreaterThanOrEqual(8);
      for (const operation of superuserOnly) {
        const url = operation.path.replace(/\{\w+\}/g, randomUUID());
        const response = await call(operation.method, url, headersOf.owner, operation.bodySchema ? {} : undefined);
        expect({ operation: operation.id, status: response.statusCode, body: response.json() }).toEqual({
          operation: operation.id,
          status: 403,
          body: { detail: DETAIL.NOT_ENOUGH_PRIVILEGES },
        });
      }
    });
  });

  describe('API3 property level authorization: mass assignment', () => {
    const ownOrganization = async () => (await created('/api/v1/organizations/', headersOf.owner, { name: 'o' })).id;
    /** A valid body for every documented JSON write, and who sends it. */
    const writes: Record<string, { as: 'owner' | 'superuser'; url?: () => Promise<string>; body: () => object }> = {
      'POST /api/v1/users': {
        as: 'superuser',
        body: () => ({ email: `mass-${randomUUID()}@example.com`, password: 'mass assignment' }),
      },
      'PATCH /api/v1/users/me': { as: 'owner', body: () => ({ full_name: 'Mass' }) },
      'POST /api/v1/users/signup': {
        as: 'owner',
        // is_verified is true, rightly, for the accounts the other writes here touch: checked in the database for these.
        body: () => ({
          email: `mass-signup-${randomUUID()}@example.com`,
          password: 'mass assignment',
          is_verified: true,
        }),
      },
      'POST /api/v1/verify-email': { as: 'owner', body: () => ({ token: 'not-a-token' }) },
      'POST /api/v1/login/oidc/exchange': { as: 'owner', body: () => ({ code: 'not-a-code' }) },
      'PATCH /api/v1/users/{user_id}': {
        as: 'superuser',
        url: async () => `/api/v1/users/${(await createUser(app)).id}`,
        body: () => ({ full_name: 'Mass' }),
      },
      'POST /api/v1/login/access-token': {
        as: 'owner',
        body: () => ({ username: 'nobody@example.com', password: 'wrong password' }),
      },
      'POST /api/v1/login/refresh': { as: 'owner', body: () => ({ refresh_token: 'not-a-token' }) },
      'PATCH /api/v1/users/me/password': {
        as: 'owner',
        body: () => ({ current_password: 'wrong password', new_password: 'whatever else' }),
      },
      'POST /api/v1/reset-password': {
        as: 'owner',
        body: () => ({ token: 'not-a-token', new_password: 'whatever else' }),
      },
      'POST /api/v1/users/me/api-keys': { as: 'owner', body: () => ({ name: 'mass' }) },
      'POST /api/v1/items': { as: 'owner', body: () => ({ title: 'mass' }) },
      'PUT /api/v1/items/{id}': {
        as: 'owner',
        url: async () => `/api/v1/items/${(await created('/api/v1/items/', headersOf.owner, { title: 't' })).id}`,
        body: () => ({ title: 'mass' }),
      },
      'POST /api/v1/utils/test-queue': { as: 'superuser', body: () => ({ message: 'mass' }) },
      'POST /api/v1/organizations': { as: 'owner', body: () => ({ name: 'mass' }) },
      'PATCH /api/v1/organizations/{org_id}': {
        as: 'owner',
        url: async () => `/api/v1/organizations/${await ownOrganization()}`,
        body: () => ({ name: 'mass' }),
      },
      'PATCH /api/v1/organizations/{org_id}/members/{user_id}': {
        as: 'owner',
        url: async () => {
          const id = await ownOrganization();
          const member = await createUser(app);
          await app
            .get(DataSource)
            .query(`INSERT INTO memberships (organization_id, user_id, role) VALUES ($1, $2, 'viewer')`, [
              id,
              member.id,
            ]);
          return `/api/v1/organizations/${id}/members/${member.id}`;
        },
        body: () => ({ role: 'member' }),
      },
      'POST /api/v1/organizations/{org_id}/invitations': {
        as: 'owner',
        url: async () => `/api/v1/organizations/${await ownOrganization()}/invitations`,
        body: () => ({ email: `mass-${randomUUID()}@example.com`, role: 'member' }),
      },
      'POST /api/v1/invitations/accept': { as: 'owner', body: () => ({ token: 'not-a-token' }) },
      'POST /api/v1/organizations/{org_id}/items': {
        as: 'owner',
        url: async () => `/api/v1/organizations/${await ownOrganization()}/items/`,
        body: () => ({ title: 'mass' }),
      },
      'PUT /api/v1/organizations/{org_id}/items/{id}': {
        as: 'owner',
        url: async () => {
          const id = await ownOrganization();
          const item = await created(`/api/v1/organizations/${id}/items/`, headersOf.owner, { title: 't' });
          return `/api/v1/organizations/${id}/items/${item.id}`;
        },
        body: () => ({ title: 'mass' }),
      },
    };

    it('covers every documented operation that takes a JSON body', () => {
      const jsonWrites = operations
        .filter((operation) => operation.bodyMediaTypes.includes('application/json'))
        .map((operation) => `${operation.method} ${operation.path}`);
      expect(jsonWrites.sort()).toEqual(Object.keys(writes).sort());
    });

    it.each(Object.keys(writes))('%s never takes a field the caller may not set', async (operation) => {
      const [method, path] = operation.split(' ');
      const write = writes[operation];
      const forced: Record<string, unknown> = {
        id: randomUUID(),
        owner_id: other.id,
        user_id: other.id,
        is_superuser: true,
        is_active: false,
        hashed_password: '$argon2id$v=19$m=19456,t=2,p=1$forged',
        credentials_version: 99,
        created_at: '2000-01-01T00:00:00.000Z',
        updated_at: '2000-01-01T00:00:00.000Z',
        last_used_at: '2000-01-01T00:00:00.000Z',
        prefix: 'ak_forged',
        key: 'ak_forged',
        role: 'viewer',
        organization_id: randomUUID(),
      };
      const allowed = new Set(
        Object.keys(operations.find((o) => `${o.method} ${o.path}` === operation)?.bodySchema?.properties ?? {}),
      );
      const extras = Object.fromEntries(Object.entries(forced).filter(([name]) => !allowed.has(name)));
      const url = write.url ? await write.url() : path;
      const response = await call(method, url, headersOf[write.as], { ...write.body(), ...extras });
      expect(response.statusCode).toBeLessThan(500);
      const body = response.body ? (JSON.parse(response.body) as Record<string, unknown>) : {};
      for (const [name, value] of Object.entries(extras)) {
        if (name in body) expect({ field: name, value: body[name] }).not.toEqual({ field: name, value });
      }
      const me = await call('GET', '/api/v1/users/me', headersOf.owner);
      expect(me.json()).toMatchObject({ id: owner.id, is_superuser: false, is_active: true });
    });
  });

  describe('API3 in the database', () => {
    it('stores none of the forged values the writes above sent', async () => {
      const db = app.get(DataSource);
      const forged = async (sql: string, parameters: unknown[] = []) =>
        Number((await db.query<{ count: string }[]>(sql, parameters))[0].count);
      expect(
        await forged(
          `SELECT count(*) FROM items WHERE owner_id = $1 OR created_at < '2001-01-01' OR updated_at < '2001-01-01'`,
          [other.id],
        ),
      ).toBe(0);
      expect(
        await forged(
          `SELECT count(*) FROM api_keys WHERE user_id = $1 OR prefix = 'ak_forged' OR last_used_at < '2001-01-01'`,
          [other.id],
        ),
      ).toBe(0);
      expect(
        await forged(
          `SELECT count(*) FROM users WHERE hashed_password LIKE '%forged' OR credentials_version = 99 OR created_at < '2001-01-01'`,
        ),
      ).toBe(0);
      expect(
        await forged(`SELECT count(*) FROM users WHERE email LIKE 'mass-%' AND (is_superuser OR NOT is_active)`),
      ).toBe(0);
      expect(await forged(`SELECT count(*) FROM users WHERE email LIKE 'mass-signup-%' AND is_verified`)).toBe(0);
      expect(await forged('SELECT count(*) FROM memberships WHERE user_id = $1', [other.id])).toBe(0);
      expect(
        await forged(
          `SELECT count(*) FROM items i JOIN memberships m ON m.organization_id = i.organization_id AND m.role = 'owner' WHERE m.user_id = $1 AND i.title = 'mass' AND i.owner_id <> $1`,
          [owner.id],
        ),
      ).toBe(0);
    });
  });

  describe('API4 unrestricted resource consumption', () => {
    it('bounds bodies, pages and nesting', async () => {
      const big = await call('POST', '/api/v1/items/', headersOf.owner, {
        title: 't',
        description: 'x'.repeat(110_000),
      });
      expect({ status: big.statusCode, body: big.json() }).toEqual({
        status: 413,
        body: { detail: 'Request body too large' },
      });
      expect((await call('GET', '/api/v1/items/?limit=1001', headersOf.owner)).statusCode).toBe(422);
      expect((await call('GET', '/api/v1/items/?limit=1000', headersOf.owner)).statusCode).toBe(200);
      let nested: unknown = [];
      for (let depth = 0; depth < 100; depth++) nested = [nested];
      expect(
        (await call('POST', '/api/v1/items/', headersOf.owner, { title: 't', description: nested as object }))
          .statusCode,
      ).toBe(422);
    });

    it('rate limits logins, recovery requests and API key failures (429 with Retry-After)', async () => {
      const limited = await createTestApp({
        redisKeyPrefix: `test-owasp-limits-${randomUUID()}`,
        loginMaxFailuresPerIp: 3,
        recoveryMaxPerIp: 3,
        apiKeyMaxFailuresPerIp: 3,
      });
      try {
        const attempts = {
          login: () =>
            limited.inject({
              method: 'POST',
              url: '/api/v1/login/access-token',
              payload: { username: `${randomUUID()}@example.com`, password: 'wrong password' },
            }),
          recovery: () =>
            limited.inject({ method: 'POST', url: `/api/v1/password-recovery/${randomUUID()}@example.com` }),
          apiKey: () =>
            limited.inject({ method: 'GET', url: '/api/v1/users/me', headers: { 'X-API-Key': `ak_${randomUUID()}` } }),
        };
        for (const [name, attempt] of Object.entries(attempts)) {
          for (let i = 0; i < 3; i++)
            expect({ name, status: (await attempt()).statusCode }).not.toEqual({ name, status: 429 });
          const blocked = await attempt();
          expect({ name, status: blocked.statusCode }).toEqual({ name, status: 429 });
          expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
        }
      } finally {
        await limited.close();
      }
    });
  });

  describe('API8 security misconfiguration', () => {
    it('sends security headers and no server fingerprint', async () => {
      for (const url of ['/api/v1/users/me', '/api/v1/nope', '/health/live']) {
        const response = await call('GET', url, headersOf.owner);
        expect(response.headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY' });
        expect(response.headers['content-security-policy']).toContain("default-src 'none'");
        expect(response.headers['x-powered-by']).toBeUndefined();
        expect(response.headers.server).toBeUndefined();
      }
    });

    it('gives errors as bare {detail} bodies, whatever the method', async () => {
      expect((await call('GET', '/api/v1/nope')).json()).toEqual({ detail: 'Not Found' });
      const wrongMethod = await call('PATCH', '/api/v1/items/', headersOf.owner);
      expect({ status: wrongMethod.statusCode, body: wrongMethod.json() }).toEqual({
        status: 405,
        body: { detail: 'Method Not Allowed' },
      });
      for (const method of ['TRACE', 'PROPFIND', 'CONNECT'])
        expect((await call(method, '/api/v1/items/', headersOf.owner)).statusCode).toBeLessThan(500);
      const nulTitle = await call('POST', '/api/v1/items/', headersOf.owner, { title: 'a\u0000b' });
      expect({
        status: nulTitle.statusCode,
        type: nulTitle.json<{ detail: { type: string }[] }>().detail[0].type,
      }).toEqual({
        status: 422,
        type: 'string_pattern_mismatch',
      });
      const nulPath = await call('POST', `/api/v1/password-recovery/${encodeURIComponent('a\u0000b@example.com')}`);
      expect({ status: nulPath.statusCode, body: nulPath.json() }).toEqual({
        status: 200,
        body: { message: 'If that email is registered, we sent a password recovery link' },
      });
      const nulPreview = await call(
        'POST',
        `/api/v1/password-recovery-html-content/${encodeURIComponent('a\u0000b@example.com')}`,
        superuser,
      );
      expect(nulPreview.statusCode).toBe(404);
      const malformed = await app.inject({
        method: 'POST',
        url: '/api/v1/items/',
        headers: { ...headersOf.owner, 'content-type': 'application/json' },
        payload: '{"title":',
      });
      expect(malformed.statusCode).toBe(422);
      expect(malformed.body).not.toMatch(/at |\.js|\.ts|node_modules/);
    });

    it('allows CORS only for the configured origins', async () => {
      const preflight = (origin: string) =>
        app.inject({
          method: 'OPTIONS',
          url: '/api/v1/items/',
          headers: {
            origin,
            'access-control-request-method': 'POST',
            'access-control-request-headers': 'x-api-key, x-smuggled',
          },
        });
      expect((await preflight('https://evil.example')).headers['access-control-allow-origin']).toBeUndefined();
      const allowed = await preflight('http://localhost:5173');
      expect(allowed.headers).toMatchObject({
        'access-control-allow-origin': 'http://localhost:5173',
        'access-control-allow-credentials': 'true',
      });
      const allowedHeaders = String(allowed.headers['access-control-allow-headers']).toLowerCase();
      expect(allowedHeaders).toContain('x-api-key');
      expect(allowedHeaders).not.toContain('x-smuggled');
    });

    it('turns the documentation off with DOCS_ENABLED=false, as production may want', async () => {
      const quiet = await createTestApp({ docsEnabled: false });
      try {
        for (const url of ['/docs', '/redoc', '/docs-json', '/api/v1/openapi.json'])
          expect((await quiet.inject({ method: 'GET', url })).statusCode).toBe(404);
      } finally {
        await quiet.close();
      }
    });
  });
});
