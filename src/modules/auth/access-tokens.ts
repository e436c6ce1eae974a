import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { AppConfig } from '../../config/app-config.js';

export const ACCESS_TOKEN_TYPE = 'access';

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

@Injectable()
export class AccessTokens {
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
}
