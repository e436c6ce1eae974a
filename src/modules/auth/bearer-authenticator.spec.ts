import { JwtService } from '@nestjs/jwt';
import { toErrorResponse } from '../../common/errors/http-error.filter.js';
import type { AppConfig } from '../../config/app-config.js';
import type { User } from '../users/entities/user.entity.js';
import type { UsersService } from '../users/users.service.js';
import { ACCESS_TOKEN_TYPE } from './access-tokens.js';
import type { AuthState, AuthStateCache } from './auth-state-cache.js';
import { BearerAuthenticator } from './bearer-authenticator.js';
import type { AuthSession } from './entities/auth-session.entity.js';
import { JwtStrategy } from './jwt.strategy.js';
import type { SessionsService } from './sessions.service.js';

const config = { secretKey: 'a secret key of this unit test, long enough', jwtAlgorithm: 'HS256' } as AppConfig;
const databaseDown = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
const signedIn: AuthState = {
  user: { id: 'u1', isActive: true } as User,
  session: { id: 's1', userId: 'u1' } as AuthSession,
};

/** How a token's check fails; the token, signature and claims are real (the e2e and fault tests run the database side). */
describe(BearerAuthenticator.name, () => {
  let readState: () => Promise<AuthState>;
  let authenticator: BearerAuthenticator;
  let authorization: string;

  beforeEach(async () => {
    readState = async () => signedIn;
    const authState = { get: () => readState() } as unknown as AuthStateCache;
    const sessions = { isUsable: () => true } as unknown as SessionsService;
    authenticator = new BearerAuthenticator(new JwtStrategy(config, {} as UsersService, sessions, authState));
    const token = await new JwtService({ secret: config.secretKey }).signAsync(
      { sub: 'u1', sid: 's1', typ: ACCESS_TOKEN_TYPE },
      { expiresIn: 60 },
    );
    authorization = `Bearer ${token}`;
  });

  const statusOf = (attempt: Promise<unknown>) =>
    attempt.then(
      () => 200,
      (error: unknown) => toErrorResponse(error).status,
    );

  it('answers 503, not 401, when the database cannot be reached to check a new token', async () => {
    readState = async () => Promise.reject(databaseDown());
    expect(await statusOf(authenticator.authenticate(authorization))).toBe(503);
  });

  it('answers 503, not 401, when the database cannot be reached to check a token seen before', async () => {
    expect(await statusOf(authenticator.authenticate(authorization))).toBe(200);
    readState = async () => Promise.reject(databaseDown());
    expect(await statusOf(authenticator.authenticate(authorization))).toBe(503);
  });

  it('still answers 401 for any other failure of the check', async () => {
    readState = async () => Promise.reject(new Error('unexpected'));
    expect(await statusOf(authenticator.authenticate(authorization))).toBe(401);
  });
});
