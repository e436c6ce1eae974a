import { Injectable } from '@nestjs/common';
import { ExtractJwt } from 'passport-jwt';
import { LRUCache } from 'lru-cache';
import type { Principal } from '../../common/auth/principal.js';
import { isDatabaseUnavailable } from '../../common/errors/database-errors.js';
import { DomainError } from '../../common/errors/domain-error.js';
import { type AccessTokenClaims, isAccessTokenClaims } from './access-tokens.js';
import { JwtStrategy } from './jwt.strategy.js';

const BEARER = /^Bearer\s+\S/i;
/** The token as passport-jwt reads it, so the one remembered is the one it verified. */
const bearerToken = ExtractJwt.fromAuthHeaderAsBearerToken();
/** Tokens whose signature a process remembers having checked, at most; the oldest go first. */
export const VERIFIED_TOKENS_SIZE = 10_000;

/**
 * A failure to check a token, as the caller is to hear it: a database that cannot be reached
 * is an outage (503 through the error filter), not a bad token; any other surprise is a 401.
 */
const checkFailure = (error: unknown): Error =>
  error instanceof DomainError || isDatabaseUnavailable(error)
    ? (error as Error)
    : new DomainError('INVALID_CREDENTIALS');

/** The callbacks passport gives a strategy for one authentication attempt. */
interface StrategyAttempt {
  success(principal: Principal): void;
  fail(): void;
  error(error: unknown): void;
  pass(): void;
  authenticate(request: unknown, options: object): void;
}

/**
 * Turns an `Authorization: Bearer` header into the caller, or the contract's 401/403.
 *
 * It runs this app's own JwtStrategy instance, as passport does for one attempt, instead of
 * going through passport's process-wide strategy registry: with several app instances in one
 * process (tests of multi-process behaviour), the registry would hold the last one created.
 *
 * A token whose signature and claims passed is remembered until it expires, so its next
 * requests skip the JWT checks and go straight to JwtStrategy.validate (its session and user).
 */
@Injectable()
export class BearerAuthenticator {
  /** Claims by token, the least recently used dropped first. */
  private readonly verified = new LRUCache<string, AccessTokenClaims>({ max: VERIFIED_TOKENS_SIZE });

  constructor(private readonly strategy: JwtStrategy) {}

  async authenticate(authorization: string | undefined): Promise<Principal> {
    if (!authorization || !BEARER.test(authorization)) throw new DomainError('NOT_AUTHENTICATED');
    const token = bearerToken({ headers: { authorization } }) ?? '';
    const claims = this.verified.get(token);
    if (claims && claims.exp * 1000 > Date.now()) return this.validated(claims);
    if (claims) this.verified.delete(token);
    const principal = await this.verify(authorization);
    this.remember(token);
    return principal;
  }

  private async validated(claims: AccessTokenClaims): Promise<Principal> {
    try {
      return await this.strategy.validate(claims);
    } catch (error) {
      throw checkFailure(error);
    }
  }

  /** Stores the claims of a token passport-jwt has just verified (read without a check again). */
  private remember(token: string): void {
    const payload: unknown = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
    if (!isAccessTokenClaims(payload)) return;
    this.verified.set(token, payload);
  }

  private verify(authorization: string): Promise<Principal> {
    return new Promise((resolve, reject) => {
      const attempt = Object.create(this.strategy) as StrategyAttempt;
      attempt.success = resolve;
      attempt.fail = () => reject(new DomainError('INVALID_CREDENTIALS'));
      attempt.pass = () => reject(new DomainError('INVALID_CREDENTIALS'));
      attempt.error = (error) => reject(checkFailure(error));
      attempt.authenticate({ headers: { authorization } }, { session: false });
    });
  }
}
