import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import * as bcrypt from '@node-rs/bcrypt';
import type { Piscina } from 'piscina';
import { HASHING_NICE_INCREMENT, PasswordHasher } from './password-hasher.js';

/** The nice value of each thread of this process (Linux keeps one per thread). */
function threadNiceValues(): number[] {
  return readdirSync('/proc/self/task').map((tid) => {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
  });
}

describe(PasswordHasher.name, () => {
  const sut = new PasswordHasher();
  afterAll(() => sut.onModuleDestroy());

  (existsSync('/proc/self/task') ? it : it.skip)(
    'hashes on threads of a lower priority, leaving the event loop as it was',
    async () => {
      const before = getPriority();
      await sut.hash('priority check');
      expect(threadNiceValues()).toContain(Math.min(before + HASHING_NICE_INCREMENT, 19));
      expect(getPriority()).toBe(before);
    },
  );

  it('hashes with argon2id and the OWASP parameters', async () => {
    const hashed = await sut.hash('correct horse battery staple');
    expect(hashed).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await sut.verify(hashed, 'correct horse battery staple')).toEqual({ valid: true, needsRehash: false });
    expect(await sut.verify(hashed, 'wrong horse battery staple')).toEqual({ valid: false, needsRehash: false });
  });

  it('salts every hash', async () => {
    expect(await sut.hash('same password')).not.toBe(await sut.hash('same password'));
  });

  it('verifies a bcrypt hash from the FastAPI template and asks for a rehash', async () => {
    const legacy = await bcrypt.hash('template password', { cost: 4 });
    expect(legacy).toMatch(/^\$2b\$/);
    expect(await sut.verify(legacy, 'template password')).toEqual({ valid: true, needsRehash: true });
    expect(await sut.verify(legacy, 'other password')).toEqual({ valid: false, needsRehash: false });
  });

  it('asks for a rehash of an argon2 hash with weaker parameters', async () => {
    const argon2 = await import('@node-rs/argon2');
    const weak = await argon2.hash('pw-with-old-params', { memoryCost: 4096, timeCost: 1, parallelism: 1 });
    expect(await sut.verify(weak, 'pw-with-old-params')).toEqual({ valid: true, needsRehash: true });
  });

  it('treats a malformed stored hash as a failed check, not an error', async () => {
    expect(await sut.verify('not-a-hash', 'whatever')).toEqual({ valid: false, needsRehash: false });
  });

  it('fails only the task of a thread that dies, and the next task gets a new thread', async () => {
    const hasher = new PasswordHasher();
    try {
      await hasher.hash('start a thread');
      const { pool } = hasher as unknown as { pool: Piscina };
      const dying = pool.threads.map((thread) => thread.terminate());
      await expect(hasher.hash('on the dying thread')).rejects.toThrow('worker exited');
      await Promise.all(dying);
      const hashed = await hasher.hash('on a new thread');
      expect(await hasher.verify(hashed, 'on a new thread')).toEqual({ valid: true, needsRehash: false });
    } finally {
      await hasher.onModuleDestroy();
    }
  });

  it('fails unanswered tasks when it is destroyed', async () => {
    const hasher = new PasswordHasher();
    const unanswered = expect(hasher.hash('at shutdown')).rejects.toThrow();
    await hasher.onModuleDestroy();
    await unanswered;
  });

  it('spends about the time of a real verification on a decoy', async () => {
    const hashed = await sut.hash('timing');
    await sut.verifyDecoy('warm-up');
    const real = Date.now();
    for (let i = 0; i < 5; i++) await sut.verify(hashed, 'wrong');
    const realMs = Date.now() - real;
    const decoy = Date.now();
    for (let i = 0; i < 5; i++) await sut.verifyDecoy('wrong');
    const decoyMs = Date.now() - decoy;
    expect(decoyMs).toBeGreaterThan(realMs * 0.3);
    expect(decoyMs).toBeLessThan(realMs * 3 + 50);
  });
});
