import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 256 random bits, URL-safe: refresh secrets, one-time codes, cookie secrets. */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** What is stored or looked up instead of a secret: its SHA-256, URL-safe base64. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url');
}

/** Compares two hashes in constant time. */
export function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
