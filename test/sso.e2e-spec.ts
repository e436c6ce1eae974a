import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Redis } from 'ioredis';
import request from 'supertest';
import { type AppConfig, loadConfig } from '../src/config/app-config.js';
import { freePort, startRedis } from '../scripts/local-services.js';
import { Browser, OpenIdProvider } from './utils/openid-provider.js';
import { createTestApp } from './utils/test-app.js';
import { bearer, createUser, login, loginAsSuperuser, uniqueEmail } from './utils/users.js';

const FRONTEND = 'http://localhost:5173';
const CALLBACK_PAGE = `${FRONTEND}/login/callback`;
const PROVIDER = 'acme';

/** Single sign-on against a real OpenID provider on 127.0.0.1, following every redirect as a browser. */
describe('single sign-on (OpenID Connect)', () => {
  const provider = new OpenIdProvider();
  const config = loadConfig(process.env);
  let app: NestFastifyApplication;
  /**
   * The same API with OIDC_AUTO_CREATE=false and a low limit of unfinished sign-ins, behind a proxy
   * (client addresses from X-Forwarded-For, so its limit test has an address of its own).
   */
  let strictApp: NestFastifyApplication;
  let api: string;
  let redis: Redis;
  let superuser: string;
  /** The test apps' single sign-on settings. */
  let oidc: Partial<AppConfig>;
  const http = () => request(app.getHttpServer());

  /** A person at the provider, signing in as `sub`. */
  function personAt(fields: Partial<{ email: string; email_verified: boolean; name: string }> = {}): string {
    const sub = `sub-${randomUUID()}`;
    provider.accounts.set(sub, { email: uniqueEmail('sso'), email_verified: true, name: 'Sam Single', ...fields });
    return sub;
  }

  /** Starts a sign-in in a new browser: the API's redirect to the provider, and that browser. */
  async function begin(as: string): Promise<{ browser: Browser; authorization: URL }> {
    provider.signInAs = as;
    const browser = new Browser();
    const response = await browser.get(new URL(`${api}/api/v1/login/oidc/${PROVIDER}`));
    expect(response.status).toBe(302);
    return { browser, authorization: new URL(response.headers.get('location')!) };
  }

  /** Goes through the provider to the API's callback URL (not yet opened). */
  async function atProvider(browser: Browser, authorization: URL): Promise<URL> {
    const { location } = await browser.follow(authorization.href, (next) => next.pathname.endsWith('/callback'));
    return location!;
  }

  /** Opens the callback; returns the web client's page it redirects to. */
  async function callback(browser: Browser, url: URL): Promise<URL> {
    const response = await browser.get(url);
    expect(response.status).toBe(302);
    return new URL(response.headers.get('location')!);
  }

  /** A whole sign-in: the `#code=` or `#error=` the web client's page receives. */
  async function signIn(as: string): Promise<{ code?: string; error?: string }> {
    const { browser, authorization } = await begin(as);
    const page = await callback(browser, await atProvider(browser, authorization));
    expect(`${page.origin}${page.pathname}`).toBe(CALLBACK_PAGE);
    return Object.fromEntries(new URLSearchParams(page.hash.slice(1)));
  }

  async function tokensFor(as: string, on = app): Promise<request.Response> {
    const { code } = await signIn(as);
    expect(code).toEqual(expect.any(String));
    return request(on.getHttpServer()).post('/api/v1/login/oidc/exchange').send({ code });
  }

  async function me(token: string): Promise<Record<string, unknown>> {
    return (await http().get('/api/v1/users/me').set(bearer(token)).expect(200)).body;
  }

  beforeAll(async () => {
    const port = await freePort();
    api = `http://127.0.0.1:${port}`;
    await provider.start([`${api}/api/v1/login/oidc/${PROVIDER}/callback`]);
    oidc = {
      apiPublicUrl: api,
      frontendHost: FRONTEND,
      oidcAllowInsecureIssuer: true,
      oidcProviders: [
        {
          name: PROVIDER,
          displayName: 'Acme SSO',
          issuer: provider.issuer,
          clientId: provider.clientId,
          clientSecret: provider.clientSecret,
          scopes: 'openid email profile',
        },
        // Nothing listens there: a provider that is down.
        {
          name: 'offline',
          displayName: 'Offline',
          issuer: `http://127.0.0.1:${await freePort()}`,
          clientId: 'x',
          clientSecret: 'y',
          scopes: 'openid email',
        },
      ],
    };
    app = await createTestApp(oidc);
    await app.listen(port, '127.0.0.1');
    strictApp = await createTestApp({ ...oidc, oidcAutoCreate: false, loginMaxFailuresPerIp: 3, trustProxy: true });
    redis = new Redis(config.redisUrl);
    superuser = (await loginAsSuperuser(app)).access_token;
  }, 60_000);

  afterAll(async () => {
    await Promise.all([app?.close(), strictApp?.close()]);
    redis?.disconnect();
    await provider.stop();
  });

  it('lists the configured providers, and none when none is configured', async () => {
    expect((await http().get('/api/v1/login/oidc/providers').expect(200)).body).toEqual([
      { name: PROVIDER, display_name: 'Acme SSO' },
      { name: 'offline', display_name: 'Offline' },
    ]);
    const plain = await createTestApp();
    try {
      expect((await request(plain.getHttpServer()).get('/api/v1/login/oidc/providers').expect(200)).body).toEqual([]);
    } finally {
      await plain.close();
    }
  });

  it('redirects to the provider with state, nonce and an S256 PKCE challenge, bound to the browser by a cookie', async () => {
    const response = await new Browser().get(new URL(`${api}/api/v1/login/oidc/${PROVIDER}`));
    expect(response.status).toBe(302);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const location = new URL(response.headers.get('location')!);
    expect(`${location.origin}`).toBe(provider.issuer);
    const params = Object.fromEntries(location.searchParams);
    expect(params).toMatchObject({
      client_id: provider.clientId,
      response_type: 'code',
      scope: 'openid email profile',
      redirect_uri: `${api}/api/v1/login/oidc/${PROVIDER}/callback`,
      code_challenge_method: 'S256',
    });
    expect(params.state.length).toBeGreaterThanOrEqual(32);
    expect(params.nonce.length).toBeGreaterThanOrEqual(32);
    expect(params.code_challenge).toMatch(/^[\w-]{43}$/);
    const [cookie, ...others] = response.headers.getSetCookie();
    expect(others).toEqual([]);
    const [pair, ...attributes] = cookie.split('; ');
    expect(pair).toMatch(/^sso_flow=[\w-]{43}$/);
    expect(attributes).toEqual(
      expect.arrayContaining(['Max-Age=600', 'Path=/api/v1/login/oidc', 'HttpOnly', 'SameSite=Lax']),
    );
    // Secure follows API_PUBLIC_URL: http here.
    expect(attributes).not.toContain('Secure');
  });

  it('signs a new person in: an active, verified account without a password, and a session like a password login', async () => {
    const sub = personAt({ name: 'Ada Lovelace' });
    const { email } = provider.accounts.get(sub)!;
    const exchanged = await tokensFor(sub);
    expect(exchanged.status).toBe(200);
    expect(exchanged.headers['cache-control']).toBe('no-store');
    expect(Object.keys(exchanged.body).sort()).toEqual(['access_token', 'expires_in', 'refresh_token', 'token_type']);
    expect(exchanged.body.token_type).toBe('bearer');
    const user = await me(exchanged.body.access_token);
    expect(user).toMatchObject({
      email,
      full_name: 'Ada Lovelace',
      is_active: true,
      is_superuser: false,
      is_verified: true,
    });

    const identities = await http()
      .get('/api/v1/users/me/identities')
      .set(bearer(exchanged.body.access_token))
      .expect(200);
    expect(identities.body).toEqual({
      data: [
        {
          id: expect.any(String),
          provider: PROVIDER,
          issuer: provider.issuer,
          subject: sub,
          email,
          created_at: expect.any(String),
          last_sign_in_at: expect.any(String),
        },
      ],
      count: 1,
    });
    // A session like any other: refresh rotates it, logout ends it.
    const refreshed = await http()
      .post('/api/v1/login/refresh')
      .send({ refresh_token: exchanged.body.refresh_token })
      .expect(200);
    await http().post('/api/v1/logout').set(bearer(refreshed.body.access_token)).expect(204);
    await http().get('/api/v1/users/me').set(bearer(refreshed.body.access_token)).expect(401);
    // No password: a password login is refused like a wrong one.
    const attempt = await http()
      .post('/api/v1/login/access-token')
      .type('form')
      .send({ username: email, password: 'anything-at-all' });
    expect(attempt.status).toBe(400);
    expect(attempt.body).toEqual({ detail: 'Incorrect email or password' });
  });

  it('finds the account again by subject after the email changed at the provider', async () => {
    const sub = personAt();
    const first = await tokensFor(sub);
    const userId = (await me(first.body.access_token)).id;
    const newEmail = uniqueEmail('renamed');
    provider.accounts.get(sub)!.email = newEmail;
    const second = await tokensFor(sub);
    expect(second.status).toBe(200);
    const user = await me(second.body.access_token);
    expect(user.id).toBe(userId);
    const identities = await http()
      .get('/api/v1/users/me/identities')
      .set(bearer(second.body.access_token))
      .expect(200);
    expect(identities.body.data.map((i: { email: string }) => i.email)).toEqual([newEmail]);
    // Someone who signs up with the old address later is someone else.
    expect(user.email).not.toBe(newEmail);
  });

  it('links a first sign-in to the verified account with that email, which keeps its password', async () => {
    const existing = await createUser(app);
    const sub = personAt({ email: existing.email.toUpperCase() });
    const exchanged = await tokensFor(sub);
    expect(exchanged.status).toBe(200);
    expect((await me(exchanged.body.access_token)).id).toBe(existing.id);
    await login(app, existing.email, existing.password);
  });

  it("takes over an unverified account with that email: the provider proved the address, the password's setter did not", async () => {
    const email = uniqueEmail('squatted');
    const signup = await http()
      .post('/api/v1/users/signup')
      .send({ email, password: 'squatters-password' })
      .expect(201);
    expect(signup.body.is_verified).toBe(false);
    const squatter = await login(app, email, 'squatters-password');

    const exchanged = await tokensFor(personAt({ email }));
    expect(exchanged.status).toBe(200);
    const user = await me(exchanged.body.access_token);
    expect(user).toMatchObject({ id: signup.body.id, is_verified: true });
    await http().get('/api/v1/users/me').set(bearer(squatter.access_token)).expect(401);
    await http()
      .post('/api/v1/login/access-token')
      .type('form')
      .send({ username: email, password: 'squatters-password' })
      .expect(400);
  });

  it('refuses a callback whose state was changed, or that another browser opens', async () => {
    const sub = personAt();
    const tampered = await begin(sub);
    tampered.authorization.searchParams.set('state', 'a'.repeat(43));
    const page = await callback(tampered.browser, await atProvider(tampered.browser, tampered.authorization));
    expect(page.hash).toBe('#error=invalid_state');

    // An attacker's finished sign-in, opened in a victim's browser (login CSRF): no cookie, refused.
    const attacker = await begin(sub);
    const attackersCallback = await atProvider(attacker.browser, attacker.authorization);
    expect((await callback(new Browser(), attackersCallback)).hash).toBe('#error=invalid_state');
    // The state was used up by that attempt: the attacker's own browser cannot finish either.
    expect((await callback(attacker.browser, attackersCallback)).hash).toBe('#error=invalid_state');
  });

  it('refuses a replayed callback and a replayed one-time code', async () => {
    const { browser, authorization } = await begin(personAt());
    const callbackUrl = await atProvider(browser, authorization);
    const page = await callback(browser, callbackUrl);
    const code = new URLSearchParams(page.hash.slice(1)).get('code');
    expect(code).toEqual(expect.any(String));
    expect((await callback(browser, callbackUrl)).hash).toBe('#error=invalid_state');

    const exchanges = await Promise.all(
      Array.from({ length: 6 }, () => http().post('/api/v1/login/oidc/exchange').send({ code })),
    );
    expect(exchanges.map((response) => response.status).sort()).toEqual([200, 400, 400, 400, 400, 400]);
    expect(exchanges.find((response) => response.status === 400)!.body).toEqual({ detail: 'Invalid code' });
  });

  it('refuses an ID token with another nonce than the one the sign-in was started with', async () => {
    const { browser, authorization } = await begin(personAt());
    authorization.searchParams.set('nonce', 'a-nonce-the-api-never-made-0123456789');
    expect((await callback(browser, await atProvider(browser, authorization))).hash).toBe('#error=login_failed');
  });

  it('refuses a one-time code after its 60 seconds', async () => {
    const { code } = await signIn(personAt());
    const key = `${config.redisKeyPrefix}:sso:code:${createHash('sha256').update(code!).digest('base64url')}`;
    expect(await redis.ttl(key)).toBeGreaterThan(55);
    expect(await redis.ttl(key)).toBeLessThanOrEqual(60);
    await redis.pexpire(key, 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const response = await http().post('/api/v1/login/oidc/exchange').send({ code }).expect(400);
    expect(response.body).toEqual({ detail: 'Invalid code' });
  });

  it('answers 400 Invalid code for codes that were never issued, whatever their form', async () => {
    for (const code of ['', 'x', 'a'.repeat(5000), '../../etc', '\u0000', 'ﬀ'.repeat(50)]) {
      const response = await http().post('/api/v1/login/oidc/exchange').send({ code });
      expect({ code, status: response.status, body: response.body }).toEqual({
        code,
        status: 400,
        body: { detail: 'Invalid code' },
      });
    }
    await http().post('/api/v1/login/oidc/exchange').send({ code: 5 }).expect(422);
    await http().post('/api/v1/login/oidc/exchange').send({}).expect(422);
  });

  it('refuses an email the provider has not verified', async () => {
    expect(await signIn(personAt({ email_verified: false }))).toEqual({ error: 'email_not_verified' });
  });

  it('tells the web client that the person declined, not what the provider said', async () => {
    const { browser, authorization } = await begin(personAt());
    const declined = new URL(`${api}/api/v1/login/oidc/${PROVIDER}/callback`);
    declined.searchParams.set('error', 'access_denied');
    declined.searchParams.set('error_description', '<script>alert(1)</script>');
    declined.searchParams.set('state', authorization.searchParams.get('state')!);
    expect((await callback(browser, declined)).hash).toBe('#error=access_denied');
  });

  it('answers 404 for a provider that is not configured', async () => {
    for (const path of ['/api/v1/login/oidc/nobody', '/api/v1/login/oidc/nobody/callback?code=x&state=y']) {
      const response = await http().get(path).expect(404);
      expect(response.body).toEqual({ detail: 'Provider not found' });
    }
  });

  it('sends the browser back with #error=unavailable when the provider cannot be reached', async () => {
    const response = await http().get('/api/v1/login/oidc/offline').expect(302);
    expect(response.headers.location).toBe(`${CALLBACK_PAGE}#error=unavailable`);
    expect(response.headers['set-cookie']).toBeUndefined();
  });

  it('refuses an inactive account', async () => {
    const sub = personAt();
    const first = await tokensFor(sub);
    const userId = (await me(first.body.access_token)).id as string;
    await http().patch(`/api/v1/users/${userId}`).set(bearer(superuser)).send({ is_active: false }).expect(200);
    const again = await tokensFor(sub);
    expect(again.status).toBe(400);
    expect(again.body).toEqual({ detail: 'Inactive user' });
  });

  it('signs two first sign-ins of one new identity at once in to one account with one identity', async () => {
    const sub = personAt();
    const codes = await Promise.all([signIn(sub), signIn(sub), signIn(sub)]);
    const exchanged = await Promise.all(
      codes.map(({ code }) => http().post('/api/v1/login/oidc/exchange').send({ code })),
    );
    expect(exchanged.map((response) => response.status)).toEqual([200, 200, 200]);
    const ids = await Promise.all(exchanged.map(async (response) => (await me(response.body.access_token)).id));
    expect(new Set(ids).size).toBe(1);
    const identities = await http()
      .get('/api/v1/users/me/identities')
      .set(bearer(exchanged[0].body.access_token))
      .expect(200);
    expect(identities.body.count).toBe(1);
  });

  it('answers a Redis outage fast: the browser with #error=unavailable, the exchange with 503', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sso-redis-'));
    const redis = await startRedis({ dataDir, port: await freePort(), persistent: false });
    const cut = await createTestApp({ ...oidc, redisUrl: redis.url });
    try {
      const { code } = await signIn(personAt());
      await redis.stop();
      const started = Date.now();
      const begun = await request(cut.getHttpServer()).get(`/api/v1/login/oidc/${PROVIDER}`).expect(302);
      expect(begun.headers.location).toBe(`${CALLBACK_PAGE}#error=unavailable`);
      const finished = await request(cut.getHttpServer())
        .get(`/api/v1/login/oidc/${PROVIDER}/callback?code=c&state=s`)
        .set('Cookie', 'sso_flow=x')
        .expect(302);
      expect(finished.headers.location).toBe(`${CALLBACK_PAGE}#error=unavailable`);
      const exchanged = await request(cut.getHttpServer()).post('/api/v1/login/oidc/exchange').send({ code });
      expect({ status: exchanged.status, body: exchanged.body }).toEqual({
        status: 503,
        body: { detail: 'Service Unavailable' },
      });
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      await cut.close();
      await redis.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  describe('with OIDC_AUTO_CREATE=false', () => {
    it('answers 403 for an email without an account, and still links one with an account', async () => {
      const stranger = await tokensFor(personAt(), strictApp);
      expect(stranger.status).toBe(403);
      expect(stranger.body).toEqual({ detail: 'No account for this identity' });

      const existing = await createUser(app);
      const known = await tokensFor(personAt({ email: existing.email }), strictApp);
      expect(known.status).toBe(200);
    });

    it('limits sign-ins started and not finished per client address', async () => {
      const address = `203.0.113.${Math.floor(Math.random() * 250) + 1}`;
      const strict = () =>
        request(strictApp.getHttpServer()).get(`/api/v1/login/oidc/${PROVIDER}`).set('X-Forwarded-For', address);
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await strict()).status);
      expect(statuses).toEqual([302, 302, 302, 429]);
      const refused = await strict();
      expect(refused.body).toEqual({ detail: 'Too many sign-ins started, please try again later' });
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    });
  });

  describe('linked identities', () => {
    it('unlinks an identity of an account with a password, and finds it no more', async () => {
      const existing = await createUser(app);
      const sub = personAt({ email: existing.email });
      await tokensFor(sub);
      const session = await login(app, existing.email, existing.password);
      const [identity] = (await http().get('/api/v1/users/me/identities').set(bearer(session.access_token)).expect(200))
        .body.data;
      await http().delete(`/api/v1/users/me/identities/${identity.id}`).set(bearer(session.access_token)).expect(204);
      const again = await http().delete(`/api/v1/users/me/identities/${identity.id}`).set(bearer(session.access_token));
      expect(again.status).toBe(404);
      expect(again.body).toEqual({ detail: 'Identity not found' });
      expect((await http().get('/api/v1/users/me/identities').set(bearer(session.access_token))).body).toEqual({
        data: [],
        count: 0,
      });
    });

    it('keeps the last identity of an account without a password, even against two unlinks at once', async () => {
      const email = uniqueEmail('two-ids');
      const first = await tokensFor(personAt({ email }));
      await tokensFor(personAt({ email }));
      const token = first.body.access_token as string;
      const { data } = (await http().get('/api/v1/users/me/identities').set(bearer(token)).expect(200)).body;
      expect(data).toHaveLength(2);
      const results = await Promise.all(
        data.map((identity: { id: string }) =>
          http().delete(`/api/v1/users/me/identities/${identity.id}`).set(bearer(token)),
        ),
      );
      expect(results.map((response) => response.status).sort()).toEqual([204, 400]);
      expect(results.find((response) => response.status === 400)!.body).toEqual({
        detail: 'An account without a password must keep at least one linked identity',
      });
      expect((await http().get('/api/v1/users/me/identities').set(bearer(token))).body.count).toBe(1);
    });

    it("answers 404 for another user's identity, 422 for a malformed id, and needs a password session, not an API key", async () => {
      const owner = await tokensFor(personAt());
      const [identity] = (await http().get('/api/v1/users/me/identities').set(bearer(owner.body.access_token))).body
        .data;
      const other = await createUser(app);
      const stranger = await login(app, other.email, other.password);
      await http().delete(`/api/v1/users/me/identities/${identity.id}`).set(bearer(stranger.access_token)).expect(404);
      await http().delete('/api/v1/users/me/identities/not-a-uuid').set(bearer(stranger.access_token)).expect(422);
      await http().get('/api/v1/users/me/identities').expect(401);

      const key = await http()
        .post('/api/v1/users/me/api-keys')
        .set(bearer(owner.body.access_token))
        .send({ name: 'automation' })
        .expect(201);
      const byKey = await http().delete(`/api/v1/users/me/identities/${identity.id}`).set('X-API-Key', key.body.key);
      // The caller is known; only the kind of credential is refused.
      expect(byKey.status).toBe(403);
      expect(byKey.body).toEqual({ detail: 'This action needs a password login, not an API key' });
      await http().get('/api/v1/users/me/identities').set('X-API-Key', key.body.key).expect(200);
    });
  });
});
