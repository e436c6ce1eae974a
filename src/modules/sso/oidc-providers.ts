import { Injectable, Logger } from '@nestjs/common';
import * as oidc from 'openid-client';
import { DomainError } from '../../common/errors/domain-error.js';
import { AppConfig, type OidcProviderConfig } from '../../config/app-config.js';

/** Discovery, the token request and userinfo each give up after this long: a hung provider holds nothing. */
const PROVIDER_TIMEOUT_SECONDS = 5;

/**
 * The configured OpenID providers, each discovered from its issuer's
 * `/.well-known/openid-configuration` on first use and kept. A failed discovery is not kept, so
 * a provider that was down is tried again by the next sign-in.
 */
@Injectable()
export class OidcProviders {
  private readonly logger = new Logger(OidcProviders.name);
  private readonly discovered = new Map<string, Promise<oidc.Configuration>>();

  constructor(private readonly config: AppConfig) {}

  list(): OidcProviderConfig[] {
    return this.config.oidcProviders;
  }

  /** The provider of that name; 404 `Provider not found` for any other name. */
  get(name: string): OidcProviderConfig {
    const provider = this.config.oidcProviders.find((candidate) => candidate.name === name);
    if (!provider) throw new DomainError('PROVIDER_NOT_FOUND');
    return provider;
  }

  /** The URL the provider sends the browser back to, as registered with it. */
  redirectUri(provider: OidcProviderConfig): string {
    return `${this.config.apiPublicUrl}/api/v1/login/oidc/${provider.name}/callback`;
  }

  /** The provider's discovered metadata and this client's credentials. Rejects when it cannot be reached. */
  client(provider: OidcProviderConfig): Promise<oidc.Configuration> {
    let client = this.discovered.get(provider.name);
    if (!client) {
      client = this.discover(provider);
      this.discovered.set(provider.name, client);
      client.catch((error: Error) => {
        this.discovered.delete(provider.name);
        this.logger.warn(`discovery of ${provider.name} at ${provider.issuer} failed: ${error.message}`);
      });
    }
    return client;
  }

  private discover(provider: OidcProviderConfig): Promise<oidc.Configuration> {
    return oidc.discovery(
      new URL(provider.issuer),
      provider.clientId,
      provider.clientSecret ?? undefined,
      // A client without a secret is public: it proves itself by PKCE alone.
      provider.clientSecret ? undefined : oidc.None(),
      {
        timeout: PROVIDER_TIMEOUT_SECONDS,
        execute: this.config.oidcAllowInsecureIssuer ? [oidc.allowInsecureRequests] : [],
      },
    );
  }
}
