import { Reflector } from '@nestjs/core';
import passport from 'passport';
import { JwtService } from '@nestjs/jwt';
import { DomainError } from '../../common/errors/domain-error.js';
import { toErrorResponse } from '../../common/errors/http-error.filter.js';
import type { AttemptLimits } from '../../common/rate-limit/attempt-limits.js';
import type { AppConfig } from '../../config/app-config.js';
import type { ApiKeysService } from '../api-keys/api-keys.service.js';
import type { ApiKey } from '../api-keys/entities/api-key.entity.js';
import type { User } from '../users/entities/user.entity.js';
import type { UsersService } from '../users/users.service.js';
import { ACCESS_TOKEN_TYPE, AccessTokens } from './access-tokens.js';
import { ApiKeyStrategy } from './api-key.strategy.js';
import type { AuthState, AuthStateCache } from './auth-state-cache.js';
import { AuthenticationGuard } from './authentication.guard.js';
import type { AuthSession } from './entities/auth-session.entity.js';
import { JwtStrategy } from './jwt.strategy.js';
import type { SessionsService } from './sessions.service.js';

const config = {
  secretKey: 'a secret key of this unit test, long enough',
  jwtAlgorithm: 'HS256',
  accessTokenExpireMinutes: 1,
  apiKeyMaxFailuresPerIp: 2,
  apiKeyFailureWindowSeconds: 60,
} as AppConfig;
const databaseDown = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
const alice = { id: 'u1', isActive: true } as User;
const signedIn: AuthState = { user: alice, session: { id: 's1', userId: 'u1' } as AuthSession };
const KEY = 'the-one-usable-key';

/**
 * The guard with both strategies, as in the app; the token, signature and claims are real (the e2e and fault tests run the database and Redis side).
 */
describe(AuthenticationGuard.name, () => {
  let readState: () => Promise<AuthState>;
  let keyOwner: User;
  let keyReadOnly: boolean;
  let failedKeys: number;
  let guard: AuthenticationGuard;
  let tokens: AccessTokens;
  let verifications: number;

  beforeEach(() => {
    readState = async () => signedIn;
    keyOwner = alice;
    keyReadOnly = false;
    failedKeys = 0;
    const jwt = new JwtService({ secret: config.secretKey, verifyOptions: { algorithms: ['HS256'] } });
    verifications = 0;
    const verify = jwt.verify.bind(jwt);
    jwt.verify = (token: string) => (verifications++, verify(token));
    tokens = new AccessTokens(jwt, config);
    const authState = { get: () => readState() } as unknown as AuthStateCache;
    const sessions = { isUsable: () => true } as unknown as SessionsService;
    const apiKeys = {
      findUsable: async (secret: string) =>
        secret === KEY ? { apiKey: { id: 'k1', readOnly: keyReadOnly } as ApiKey, user: keyOwner } : null,
    } as unknown as ApiKeysService;
    const limits = {
      take: async () => {
        if (++failedKeys > config.apiKeyMaxFailuresPerIp) throw new DomainError('TOO_MANY_API_KEY_FAILURES');
      },
    } as unknown as AttemptLimits;
    guard = new AuthenticationGuard(
      new Reflector(),
      new ApiKeyStrategy(apiKeys, limits, config),
      new JwtStrategy(tokens, {} as UsersService, sessions, authState),
    );
  });

  const request = (headers: Record<string, string>, method = 'GET') => ({ method, ip: '192.0.2.1', headers });
  const bearer = async () => ({ authorization: `Bearer ${await tokens.sign('u1', 's1')}` });
  const outcome = (attempt: Promise<unknown>) =>
    attempt.then(
      () => ({ status: 200, detail: undefined }),
      (error: unknown) => {
        const { status, body } = toErrorResponse(error);
        return { status, detail: (body as { detail?: unknown }).detail };
      },
    );

  it('turns a valid bearer token into its session user', async () => {
    const principal = await guard.authenticate(request(await bearer()));
    expect(principal).toEqual({ user: alice, sessionId: 's1' });
    expect(principal.user).not.toBe(alice);
  });

  it('checks a token signature once, then trusts it until it expires', async () => {
    const headers = await bearer();
    for (let i = 0; i < 3; i++) await guard.authenticate(request(headers));
    expect(verifications).toBe(1);
  });

  it('answers 401 "Not authenticated" without credentials or with another scheme', async () => {
    expect(await outcome(guard.authenticate(request({})))).toEqual({ status: 401, detail: 'Not authenticated' });
    expect(await outcome(guard.authenticate(request({ authorization: 'Basic dTpw' })))).toMatchObject({
      status: 401,
      detail: 'Not authenticated',
    });
  });

  it('answers 401 "Could not validate credentials" for a forged, expired or non-access token', async () => {
    const other = new JwtService({ secret: 'another secret key, just as long as it' });
    const claims = { sub: 'u1', sid: 's1', typ: ACCESS_TOKEN_TYPE };
    const now = Math.floor(Date.now() / 1000);
    for (const token of [
      await other.signAsync(claims, { expiresIn: 60 }),
      await new JwtService({ secret: config.secretKey }).signAsync({ ...claims, iat: now - 120, exp: now - 60 }),
      await new JwtService({ secret: config.secretKey }).signAsync({ sub: 'u1', sid: 's1', typ: 'reset' }),
      'not.a.token',
    ]) {
      expect(await outcome(guard.authenticate(request({ authorization: `Bearer ${token}` })))).toEqual({
        status: 401,
        detail: 'Could not validate credentials',
      });
    }
  });

  it('answers 503, not 401, when the database cannot be reached to check a new token', async () => {
    readState = async () => Promise.reject(databaseDown());
    expect((await outcome(guard.authenticate(request(await bearer())))).status).toBe(503);
  });

  it('answers 503, not 401, when the database cannot be reached to check a token seen before', async () => {
    const headers = await bearer();
    expect((await outcome(guard.authenticate(request(headers)))).status).toBe(200);
    readState = async () => Promise.reject(databaseDown());
    expect((await outcome(guard.authenticate(request(headers)))).status).toBe(503);
  });

  it('still answers 401 for any other failure of the check', async () => {
    readState = async () => Promise.reject(new Error('unexpected'));
    expect((await outcome(guard.authenticate(request(await bearer())))).status).toBe(401);
  });

  it('answers 403 for a deactivated user, by token or by key', async () => {
    const inactive = { ...alice, isActive: false } as User;
    readState = async () => ({ ...signedIn, user: inactive });
    keyOwner = inactive;
    expect((await outcome(guard.authenticate(request(await bearer())))).status).toBe(403);
    expect(await outcome(guard.authenticate(request({ 'x-api-key': KEY })))).toMatchObject({ status: 403 });
  });

  it('prefers an API key to a bearer token sent beside it', async () => {
    const principal = await guard.authenticate(request({ ...(await bearer()), 'x-api-key': KEY }));
    expect(principal).toEqual({ user: alice, apiKey: { id: 'k1', readOnly: false } });
  });

  it('lets a read-only key read but not write', async () => {
    keyReadOnly = true;
    expect((await outcome(guard.authenticate(request({ 'x-api-key': KEY }, 'HEAD')))).status).toBe(200);
    expect(await outcome(guard.authenticate(request({ 'x-api-key': KEY }, 'POST')))).toEqual({
      status: 403,
      detail: 'This API key is read-only',
    });
  });

  it('answers 401 for a wrong key until the address runs out of failures, then 429', async () => {
    const statuses = [];
    for (let i = 0; i < 3; i++)
      statuses.push((await outcome(guard.authenticate(request({ 'x-api-key': 'wrong' })))).status);
    expect(statuses).toEqual([401, 401, 429]);
  });

  it("registers each strategy with passport under its name, for AuthGuard('jwt') on a route of its own", async () => {
    const headers = await bearer();
    const [error, principal] = await new Promise<unknown[]>((resolve) => {
      const attempt = passport.authenticate('jwt', { session: false }, (...outcome: unknown[]) => resolve(outcome)) as (
        request: unknown,
        response: unknown,
        next: (error: unknown) => void,
      ) => void;
      attempt(request(headers), {}, (failure: unknown) => resolve([failure]));
    });
    expect(error).toBeNull();
    expect(principal).toEqual({ user: alice, sessionId: 's1' });
  });
});
