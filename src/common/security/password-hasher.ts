import { availableParallelism } from 'node:os';
import { extname } from 'node:path';
import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Piscina } from 'piscina';
import type * as tasks from './password-hashing.worker.js';

/** OWASP's argon2id recommendation: 19 MiB memory, 2 iterations, 1 lane. */
export const ARGON2_OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1, outputLen: 32 } as const;

/**
 * How much the hashing threads lower their priority (nice 10 from the event loop's 0). Linux keeps
 * nice values per thread, so only these threads yield: when requests and hashes compete for a core,
 * the event loop gets about nine tenths of it (weights 1024 against 110), and hashing still runs at
 * full speed on an idle core.
 */
export const HASHING_NICE_INCREMENT = 10;

/** A thread left idle this long exits, so an idle process holds none; starting one costs about five hashes. */
const IDLE_THREAD_MS = 30_000;

// The worker is loaded as this module is: .ts from src/ under Jest (Node strips its types), .js from dist/.
const WORKER = new URL(`./password-hashing.worker${extname(import.meta.url)}`, import.meta.url);

const ARGON2ID_PREFIX = `$argon2id$v=19$m=${ARGON2_OPTIONS.memoryCost},t=${ARGON2_OPTIONS.timeCost},p=${ARGON2_OPTIONS.parallelism}$`;
const BCRYPT = /^\$2[abxy]\$\d{2}\$/;

type Tasks = typeof tasks;

export interface PasswordCheck {
  valid: boolean;
  /** The stored hash is bcrypt or weaker argon2 parameters: store a new hash after login. */
  needsRehash: boolean;
}

/**
 * argon2id for new hashes; bcrypt hashes (from a database migrated from the FastAPI template)
 * still verify. Hashing runs on a piscina pool of its own at a lower CPU priority, so a burst of
 * logins cannot starve the event loop (and every other route) of CPU: the hashing libraries'
 * async calls would run on libuv's pool, four threads at the event loop's priority.
 */
@Injectable()
export class PasswordHasher implements OnModuleDestroy {
  private readonly pool = new Piscina({
    filename: WORKER.href,
    minThreads: 0,
    maxThreads: Math.min(availableParallelism(), 4),
    idleTimeout: IDLE_THREAD_MS,
    niceIncrement: HASHING_NICE_INCREMENT,
  });
  /** A real hash of a random password, verified for unknown emails to spend the same time. */
  private decoy?: Promise<string>;

  hash(password: string): Promise<string> {
    return this.run('argon2Hash', { password, options: ARGON2_OPTIONS });
  }

  async verify(hashed: string, password: string): Promise<PasswordCheck> {
    if (BCRYPT.test(hashed)) {
      const valid = await this.run('bcryptVerify', { hashed, password }).catch(() => false);
      return { valid, needsRehash: valid };
    }
    const valid = await this.run('argon2Verify', { hashed, password }).catch(() => false);
    return { valid, needsRehash: valid && !hashed.startsWith(ARGON2ID_PREFIX) };
  }

  /** Spends the time of a failed verification, for a login whose email is unknown. */
  async verifyDecoy(password: string): Promise<void> {
    this.decoy ??= this.hash(`decoy-${Math.random()}-${Date.now()}`);
    await this.run('argon2Verify', { hashed: await this.decoy, password }).catch(() => false);
  }

  /** Ends the threads; tasks not yet answered fail instead of waiting forever. */
  onModuleDestroy(): Promise<void> {
    return this.pool.destroy();
  }

  private run<Name extends keyof Tasks>(
    name: Name,
    task: Parameters<Tasks[Name]>[0],
  ): Promise<ReturnType<Tasks[Name]>> {
    return this.pool.run(task, { name }) as Promise<ReturnType<Tasks[Name]>>;
  }
}
