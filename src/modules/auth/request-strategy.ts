import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Strategy } from 'passport-strategy';
import type { Principal } from '../../common/auth/principal.js';

/** The parts of a request that say who is calling. */
export interface CredentialsCarrier {
  method: string;
  ip: string;
  headers: Record<string, string | string[] | undefined>;
}

type Verify = (request: CredentialsCarrier, done: (error: unknown, principal?: Principal | null) => void) => void;

/**
 * A passport strategy that hands the request to its `validate()` and registers under the name it
 * is given: no principal (null) lets the next strategy of the guard's list try, a thrown error ends
 * the attempt with that error.
 */
export class RequestStrategy extends Strategy {
  constructor(
    readonly name: string,
    private readonly verify: Verify,
  ) {
    super();
  }

  // passport's types describe Express requests; strategies here read only CredentialsCarrier's fields.
  override authenticate(request: object): void {
    this.verify(request as CredentialsCarrier, (error, principal) => {
      if (error) this.error(error as Error);
      else if (principal) this.success(principal);
      else this.fail(401);
    });
  }
}

/**
 * The names this app instance's strategies are registered under. passport keeps one registry per
 * process, so with fixed names a second app instance in the same process (the e2e tests start
 * several) would replace the first one's strategies, and its requests would be checked with the
 * other instance's services and configuration.
 */
@Injectable()
export class StrategyNames {
  private readonly instance = randomUUID();
  readonly apiKey = `api-key:${this.instance}`;
  readonly jwt = `jwt:${this.instance}`;

  /** In the order the guard tries them: an `X-API-Key` header wins over a bearer token. */
  get all(): string[] {
    return [this.apiKey, this.jwt];
  }
}
