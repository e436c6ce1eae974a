import { hashSync, verifySync, type Options } from '@node-rs/argon2';
import { verifySync as bcryptVerifySync } from '@node-rs/bcrypt';

/*
 * PasswordHasher's piscina tasks, one export per operation. Under Jest this file runs as .ts in a
 * plain Node thread that only strips types: hence erasable syntax only and no relative imports.
 */

export function argon2Hash({ password, options }: { password: string; options: Options }): string {
  return hashSync(password, options);
}

export function argon2Verify({ hashed, password }: { hashed: string; password: string }): boolean {
  return verifySync(hashed, password);
}

export function bcryptVerify({ hashed, password }: { hashed: string; password: string }): boolean {
  return bcryptVerifySync(password, hashed);
}
