import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { HashingThreads } from './hashing-threads.js';

/** OWASP's argon2id recommendation: 19 MiB memory, 2 iterations, 1 lane. */
export const ARGON2_OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1, outputLen: 32 } as const;

const ARGON2ID_PREFIX = `$argon2id$v=19$m=${ARGON2_OPTIONS.memoryCost},t=${ARGON2_OPTIONS.timeCost},p=${ARGON2_OPTIONS.parallelism}$`;
const BCRYPT = /^\$2[abxy]\$\d{2}\$/;

export interface PasswordCheck {
  valid: boolean;
  /** The stored hash is bcrypt or weaker argon2 parameters: store a new hash after login. */
  needsRehash: boolean;
}

/**
 * argon2id for new hashes; bcrypt hashes (from a database migrated from the FastAPI template)
 * still verify. Hashing runs off the event loop, on HashingThreads at a lower CPU priority.
 */
@Injectable()
export class PasswordHasher implements OnModuleDestroy {
  private readonly threads = new HashingThreads();
  /** A real hash of a random password, verified for unknown emails to spend the same time. */
  private decoy?: Promise<string>;

  hash(password: string): Promise<string> {
    return this.threads.run<string>('argon2Hash', password, ARGON2_OPTIONS);
  }

  async verify(hashed: string, password: string): Promise<PasswordCheck> {
    if (BCRYPT.test(hashed)) {
      const valid = await this.threads.run<boolean>('bcryptVerify', password, hashed).catch(() => false);
      return { valid, needsRehash: valid };
    }
    const valid = await this.threads.run<boolean>('argon2Verify', hashed, password).catch(() => false);
    return { valid, needsRehash: valid && !hashed.startsWith(ARGON2ID_PREFIX) };
  }

  /** Spends the time of a failed verification, for a login whose email is unknown. */
  async verifyDecoy(password: string): Promise<void> {
    this.decoy ??= this.hash(`decoy-${Math.random()}-${Date.now()}`);
    await this.threads.run<boolean>('argon2Verify', await this.decoy, password).catch(() => false);
  }

  onModuleDestroy(): Promise<void> {
    return this.threads.close();
  }
}
