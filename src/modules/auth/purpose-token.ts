import type { JwtService } from '@nestjs/jwt';

/**
 * The claims of a single-purpose token (a reset or a verification link) when it is genuine, of
 * that purpose (`typ`), expiring, and `complete` by the caller's own test; else null.
 */
export async function readPurposeToken<Claims extends { typ: string; exp: number }>(
  jwt: JwtService,
  token: string,
  purpose: Claims['typ'],
  complete: (claims: Partial<Claims>) => boolean,
): Promise<Claims | null> {
  try {
    const claims = await jwt.verifyAsync<Partial<Claims>>(token);
    // jsonwebtoken checks `exp` only when a token has one: a token without it would never expire.
    return claims.typ === purpose && typeof claims.exp === 'number' && complete(claims) ? (claims as Claims) : null;
  } catch {
    return null;
  }
}
