import { Injectable, Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import * as oidc from 'openid-client';
import { DomainError } from '../../common/errors/domain-error.js';
import { hashSecret, newSecret, sameHash } from '../../common/security/secrets.js';
import { AttemptLimits, type LimitCheck } from '../../common/rate-limit/attempt-limits.js';
import { isPlainAddress } from '../../common/validation/email-address.js';
import { codePoints } from '../../common/validation/text-length.js';
import { AppConfig, type OidcProviderConfig } from '../../config/app-config.js';
import { InjectRedis } from '../../redis/redis.module.js';
import { AuthService } from '../auth/auth.service.js';
import type { TokenResponseDto } from '../auth/dto/token-response.dto.js';
import { IdentitiesService, type ProvenIdentity } from './identities.service.js';
import { OidcProviders } from './oidc-providers.js';

/** How long a sign-in may stay at the provider before its state is forgotten. */
export const FLOW_TTL_SECONDS = 600;
/** How long the one-time code handed to the web client can be exchanged. */
export const EXCHANGE_CODE_TTL_SECONDS = 60;
const FULL_NAME_MAX = 255;
/** OpenID Connect's own bound on `sub`. */
const SUBJECT_MAX = 255;

/** Why a sign-in failed, as the web client reads it from `#error=`: never the provider's own text. */
export type SignInFailure = 'invalid_state' | 'access_denied' | 'email_not_verified' | 'login_failed' | 'unavailable';

/** A sign-in waiting for the provider's answer: kept in Redis under its state, taken once. */
interface PendingSignIn {
  provider: string;
  nonce: string;
  codeVerifier: string;
  /** SHA-256 of the secret in the browser's cookie: only the browser that started it may finish it. */
  browser: string;
  clientIp: string;
}

export interface SignInStart {
  location: string;
  /** For the cookie that binds the sign-in to this browser; none when it failed at once. */
  browserSecret?: string;
}

/**
 * Single sign-on by OpenID Connect: the authorization code flow with PKCE, `state` and `nonce`
 * (openid-client checks the ID token's issuer, audience, signature, expiry and nonce). The browser
 * comes back to the web client with a one-time code, never a token in a URL; the web client
 * exchanges it for the usual token pair.
 */
@Injectable()
export class SsoService {
  private readonly logger = new Logger(SsoService.name);

  constructor(
    private readonly providers: OidcProviders,
    private readonly identities: IdentitiesService,
    private readonly auth: AuthService,
    private readonly limits: AttemptLimits,
    @InjectRedis() private readonly redis: Redis,
    private readonly config: AppConfig,
  ) {}

  /**
   * Where to send the browser to sign in at `name`. Sign-ins started and not finished are limited
   * per client address (each holds a little Redis until it expires); finishing one gives its slot back.
   */
  async begin(name: string, clientIp: string): Promise<SignInStart> {
    const provider = this.providers.get(name);
    const limit = this.unfinishedLimit(clientIp);
    await this.limits.take([limit], 'TOO_MANY_SIGN_IN_STARTS');
    try {
      const client = await this.providers.client(provider);
      const codeVerifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      const browserSecret = newSecret();
      const pending: PendingSignIn = {
        provider: provider.name,
        nonce,
        codeVerifier,
        browser: hashSecret(browserSecret),
        clientIp,
      };
      await this.redis.set(this.flowKey(state), JSON.stringify(pending), 'EX', FLOW_TTL_SECONDS);
      const location = oidc.buildAuthorizationUrl(client, {
        redirect_uri: this.providers.redirectUri(provider),
        scope: provider.scopes,
        state,
        nonce,
        code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256',
      });
      return { location: location.href, browserSecret };
    } catch (error) {
      await this.limits.giveBack([limit]);
      this.logger.warn(`sign-in at ${provider.name} could not start: ${(error as Error).message}`);
      return { location: this.failure('unavailable') };
    }
  }

  /**
   * The provider's redirect back: `query` is the callback's query string as received. Answers
   * where to send the browser: the web client's callback page with a one-time code, or the reason
   * it failed.
   */
  async finish(name: string, query: string, browserSecret: string | undefined): Promise<string> {
    const provider = this.providers.get(name);
    const params = new URLSearchParams(query);
    const state = params.get('state');
    try {
      const pending = state ? await this.takePending(state) : null;
      if (
        !pending ||
        pending.provider !== provider.name ||
        !browserSecret ||
        !sameHash(hashSecret(browserSecret), pending.browser)
      )
        return this.failure('invalid_state');
      await this.limits.giveBack([this.unfinishedLimit(pending.clientIp)]);
      // The person declined, or the provider refused: its text stays in the log.
      if (params.has('error')) {
        this.logger.warn(`${provider.name} answered ${params.get('error')}: ${params.get('error_description') ?? ''}`);
        return this.failure(params.get('error') === 'access_denied' ? 'access_denied' : 'login_failed');
      }
      const proven = await this.redeem(provider, query, state!, pending);
      if (typeof proven === 'string') return this.failure(proven);
      const code = newSecret();
      await this.redis.set(this.codeKey(code), JSON.stringify(proven), 'EX', EXCHANGE_CODE_TTL_SECONDS);
      return `${this.config.frontendHost}/login/callback#code=${code}`;
    } catch (error) {
      this.logger.error(`sign-in at ${provider.name} failed: ${(error as Error).message}`);
      return this.failure('unavailable');
    }
  }

  /** The token pair for a one-time code, which works once and for EXCHANGE_CODE_TTL_SECONDS. */
  async exchange(code: string): Promise<TokenResponseDto> {
    const stored = await this.redis.getdel(this.codeKey(code)).catch(() => {
      throw new DomainError('REDIS_UNAVAILABLE', { retryAfterSeconds: 5 });
    });
    if (!stored) throw new DomainError('INVALID_CODE');
    const user = await this.identities.accountFor(JSON.parse(stored) as ProvenIdentity);
    return this.auth.signInAs(user);
  }

  /**
   * Redeems the authorization code (with the PKCE verifier) and checks the ID token; the email
   * comes from the ID token or, when the provider keeps it to userinfo, from there.
   */
  private async redeem(
    provider: OidcProviderConfig,
    query: string,
    state: string,
    pending: PendingSignIn,
  ): Promise<ProvenIdentity | SignInFailure> {
    let claims: oidc.IDToken | undefined;
    let profile: Record<string, unknown>;
    try {
      const client = await this.providers.client(provider);
      const tokens = await oidc.authorizationCodeGrant(
        client,
        new URL(`${this.providers.redirectUri(provider)}?${query}`),
        {
          pkceCodeVerifier: pending.codeVerifier,
          expectedState: state,
          expectedNonce: pending.nonce,
          idTokenExpected: true,
        },
      );
      claims = tokens.claims();
      profile = { ...claims };
      if (claims && (claims.email === undefined || claims.email_verified === undefined))
        profile = { ...(await oidc.fetchUserInfo(client, tokens.access_token, claims.sub)), ...claims };
    } catch (error) {
      const failure = error as Error & { code?: string };
      this.logger.warn(
        `sign-in at ${provider.name} refused: ${failure.message}${failure.code ? ` (${failure.code})` : ''}`,
      );
      return failure.code === 'OAUTH_TIMEOUT' || failure instanceof TypeError ? 'unavailable' : 'login_failed';
    }
    if (!claims) return 'login_failed';
    const { email, email_verified: emailVerified, name } = profile;
    if (emailVerified !== true) return 'email_not_verified';
    if (typeof email !== 'string' || !isPlainAddress(email) || claims.sub.length > SUBJECT_MAX) {
      this.logger.warn(`sign-in at ${provider.name}: the provider's email or subject is not one this API accepts`);
      return 'login_failed';
    }
    return {
      provider: provider.name,
      issuer: claims.iss,
      subject: claims.sub,
      email,
      fullName: typeof name === 'string' && name.trim() && codePoints(name) <= FULL_NAME_MAX ? name.trim() : null,
    };
  }

  private async takePending(state: string): Promise<PendingSignIn | null> {
    const stored = await this.redis.getdel(this.flowKey(state));
    return stored ? (JSON.parse(stored) as PendingSignIn) : null;
  }

  private failure(reason: SignInFailure): string {
    return `${this.config.frontendHost}/login/callback#error=${reason}`;
  }

  private unfinishedLimit(clientIp: string): LimitCheck {
    const durationSeconds = FLOW_TTL_SECONDS;
    return {
      rule: { name: 'sso-unfinished-ip', points: this.config.loginMaxFailuresPerIp, durationSeconds },
      subject: clientIp,
    };
  }

  // States and codes are hashed into their keys: any text a client sends makes a fixed-size key.
  private flowKey(state: string): string {
    return `${this.config.redisKeyPrefix}:sso:flow:${hashSecret(state)}`;
  }

  private codeKey(code: string): string {
    return `${this.config.redisKeyPrefix}:sso:code:${hashSecret(code)}`;
  }
}
