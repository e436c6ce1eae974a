import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { AppConfig } from '../../config/app-config.js';

export const ACCESS_TOKEN_TYPE = 'access';

/** The claims of an access token: the user, the login session, the token type. */
export interface AccessTokenClaims {
  sub: string;
  sid: string;
  typ: typeof ACCESS_TOKEN_TYPE;
  iat?: number;
  exp?: number;
}

export function isAccessTokenClaims(payload: unknown): payload is AccessTokenClaims {
  const claims = payload as Partial<AccessTokenClaims> | null;
  return typeof claims?.sub === 'string' && typeof claims.sid === 'string' && claims.typ === ACCESS_TOKEN_TYPE;
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
    const claims: AccessTokenClaims = { sub: userId, sid: sessionId, typ: ACCESS_TOKEN_TYPE };
    return this.jwt.signAsync(claims, { expiresIn: this.lifetimeSeconds });
  }
}
