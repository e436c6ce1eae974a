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
 * A passport strategy that hands the request to its `validate()`: no principal (null) lets the
 * next strategy try, a thrown error ends the attempt with that error. The global guard calls
 * `validate()` directly; registered with passport under its name, a strategy also serves
 * `@UseGuards(AuthGuard(name))` on a route of its own.
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
