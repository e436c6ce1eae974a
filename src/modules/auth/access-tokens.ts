import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { LRUCache } from 'lru-cache';
import { DomainError } from '../../common/errors/domain-error.js';
import { AppConfig } from '../../config/app-config.js';

export const ACCESS_TOKEN_TYPE = 'access';
/** Tokens whose signature a process remembers having checked, at most; the oldest go first. */
export const VERIFIED_TOKENS_SIZE = 10_000;

/** The claims of an access token: the user, the login session, the token type, when it was made and expires. */
export interface AccessTokenClaims {
  sub: string;
  sid: string;
  typ: typeof ACCESS_TOKEN_TYPE;
  iat: number;
  exp: number;
}

/** jsonwebtoken checks `exp` only when a token has one: a token without it would never expire. */
export function isAccessTokenClaims(payload: unknown): payload is AccessTokenClaims {
  const claims = payload as Partial<AccessTokenClaims> | null;
  return (
    typeof claims?.sub === 'string' &&
    typeof claims.sid === 'string' &&
    claims.typ === ACCESS_TOKEN_TYPE &&
    typeof claims.iat === 'number' &&
    typeof claims.exp === 'number'
  );
}

/**
 * Signs access tokens and checks them (signature, the configured algorithm only, expiry, token
 * type) through the one JwtService, as reset tokens are. A token that passed is remembered until
 * it expires, so a client's next requests skip the signature check.
 */
@Injectable()
export class AccessTokens {
  /** Claims by token, the least recently used dropped first. */
  private readonly verified = new LRUCache<string, AccessTokenClaims>({ max: VERIFIED_TOKENS_SIZE });

  constructor(
    private readonly jwt: JwtService,
    private readonly config: AppConfig,
  ) {}

  get lifetimeSeconds(): number {
    return this.config.accessTokenExpireMinutes * 60;
  }

  sign(userId: string, sessionId: string): Promise<string> {
    // jsonwebtoken adds `iat` and, from expiresIn, `exp`.
    const claims: Omit<AccessTokenClaims, 'iat' | 'exp'> = { sub: userId, sid: sessionId, typ: ACCESS_TOKEN_TYPE };
    return this.jwt.signAsync(claims, { expiresIn: this.lifetimeSeconds });
  }

  /** The claims of a valid access token; anything else is 401 "Could not validate credentials". */
  verify(token: string): AccessTokenClaims {
    const remembered = this.verified.get(token);
    if (remembered && remembered.exp * 1000 > Date.now()) return remembered;
    let claims: unknown;
    try {
      claims = this.jwt.verify(token);
    } catch {
      throw new DomainError('INVALID_CREDENTIALS');
    }
    if (!isAccessTokenClaims(claims)) throw new DomainError('INVALID_CREDENTIALS');
    this.verified.set(token, claims);
    return claims;
  }
}
