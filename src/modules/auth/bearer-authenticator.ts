import { Injectable } from '@nestjs/common';
import type { Principal } from '../../common/auth/principal.js';
import { DomainError } from '../../common/errors/domain-error.js';
import { InvalidCredentialsError, MissingCredentialsError } from './auth-errors.js';
import { JwtStrategy } from './jwt.strategy.js';

const BEARER = /^Bearer\s+\S/i;

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
 */
@Injectable()
export class BearerAuthenticator {
  constructor(private readonly strategy: JwtStrategy) {}

  authenticate(authorization: string | undefined): Promise<Principal> {
    if (!BEARER.test(authorization ?? '')) return Promise.reject(new MissingCredentialsError());
    return new Promise((resolve, reject) => {
      const attempt = Object.create(this.strategy) as StrategyAttempt;
      attempt.success = resolve;
      attempt.fail = () => reject(new InvalidCredentialsError());
      attempt.pass = () => reject(new InvalidCredentialsError());
      attempt.error = (error) => reject(error instanceof DomainError ? error : new InvalidCredentialsError());
      attempt.authenticate({ headers: { authorization } }, { session: false });
    });
  }
}
