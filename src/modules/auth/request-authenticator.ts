import { Injectable } from '@nestjs/common';
import type { Principal } from '../../common/auth/principal.js';
import { DomainError } from '../../common/errors/domain-error.js';
import { AttemptLimits } from '../../common/rate-limit/attempt-limits.js';
import { AppConfig } from '../../config/app-config.js';
import { ApiKeysService } from '../api-keys/api-keys.service.js';
import { BearerAuthenticator } from './bearer-authenticator.js';

export const API_KEY_HEADER = 'x-api-key';
/** What a read-only API key may do. */
const READ_METHODS = new Set(['GET', 'HEAD']);

/** The parts of a request that say who is calling. */
export interface CredentialsCarrier {
  method: string;
  ip: string;
  headers: { authorization?: string; [API_KEY_HEADER]?: string | string[] };
}

/**
 * Turns a request's credentials into the caller: `X-API-Key` when the request has one, else the
 * `Authorization: Bearer` token. Both end in the same 401 texts for missing or bad credentials
 * and the same 403 for an inactive user, so every guard and route treats them alike.
 */
@Injectable()
export class RequestAuthenticator {
  constructor(
    private readonly bearer: BearerAuthenticator,
    private readonly apiKeys: ApiKeysService,
    private readonly limits: AttemptLimits,
    private readonly config: AppConfig,
  ) {}

  async authenticate(request: CredentialsCarrier): Promise<Principal> {
    const apiKey = request.headers[API_KEY_HEADER];
    const principal = apiKey
      ? await this.byApiKey(String(apiKey), request.ip)
      : await this.bearer.authenticate(request.headers.authorization);
    if (principal.apiKey?.readOnly && !READ_METHODS.has(request.method)) throw new DomainError('READ_ONLY_API_KEY');
    return principal;
  }

  private async byApiKey(secret: string, clientIp: string): Promise<Principal> {
    const found = await this.apiKeys.findUsable(secret);
    if (!found) throw await this.failedKey(clientIp);
    if (!found.user.isActive) throw new DomainError('INACTIVE_USER');
    return { user: found.user, apiKey: { id: found.apiKey.id, readOnly: found.apiKey.readOnly } };
  }

  /**
   * A wrong key takes a slot of the client address's limit; past the limit its answer is 429
   * instead of 401. A valid key is never held up (nor sent through Redis): keys are 256-bit
   * secrets, so the limit is there to throttle and flag scanning, not to stop a guess that
   * cannot succeed.
   */
  private async failedKey(clientIp: string): Promise<Error> {
    const rule = {
      name: 'api-key-ip',
      points: this.config.apiKeyMaxFailuresPerIp,
      durationSeconds: this.config.apiKeyFailureWindowSeconds,
    };
    return this.limits.take([{ rule, subject: clientIp }], 'TOO_MANY_API_KEY_FAILURES').then(
      () => new DomainError('INVALID_CREDENTIALS'),
      (refusal: Error) => refusal,
    );
  }
}
