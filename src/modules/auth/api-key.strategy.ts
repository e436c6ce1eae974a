import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Principal } from '../../common/auth/principal.js';
import { DomainError } from '../../common/errors/domain-error.js';
import { AttemptLimits } from '../../common/rate-limit/attempt-limits.js';
import { AppConfig } from '../../config/app-config.js';
import { ApiKeysService } from '../api-keys/api-keys.service.js';
import type { User } from '../users/entities/user.entity.js';
import { type CredentialsCarrier, RequestStrategy } from './request-strategy.js';

export const API_KEY_HEADER = 'x-api-key';
/** What a read-only API key may do. */
const READ_METHODS = new Set(['GET', 'HEAD']);

/**
 * `X-API-Key: <key>`: a usable key of an active user; a read-only key only reads. A request
 * without the header is left to the next strategy (the bearer token).
 */
@Injectable()
export class ApiKeyStrategy extends PassportStrategy(RequestStrategy, 'api-key') {
  constructor(
    private readonly apiKeys: ApiKeysService,
    private readonly limits: AttemptLimits,
    private readonly config: AppConfig,
  ) {
    super('api-key');
  }

  async validate(request: CredentialsCarrier): Promise<Principal<User> | null> {
    const secret = request.headers[API_KEY_HEADER];
    if (!secret) return null;
    const found = await this.apiKeys.findUsable(String(secret));
    if (!found) throw await this.failedKey(request.ip);
    if (!found.user.isActive) throw new DomainError('INACTIVE_USER');
    if (found.apiKey.readOnly && !READ_METHODS.has(request.method)) throw new DomainError('READ_ONLY_API_KEY');
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
