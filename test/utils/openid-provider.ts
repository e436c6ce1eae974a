import { generateKeyPairSync } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import Provider from 'oidc-provider';

export interface TestAccount {
  email: string;
  email_verified: boolean;
  name?: string;
}

/**
 * A real OpenID provider (oidc-provider, certified) on 127.0.0.1 for the suite. Its interaction
 * approves at once: it signs in `signInAs` and grants what the client asked, with no page, so a
 * test follows the redirects as a browser would and controls who the person is.
 */
export class OpenIdProvider {
  readonly accounts = new Map<string, TestAccount>();
  /** The account id (the `sub`) the next sign-in at this provider is made as. */
  signInAs = '';
  readonly clientId = 'nest-api';
  readonly clientSecret = 'a-test-client-secret-that-is-long-enough';
  private readonly server: Server = createServer();
  private provider?: Provider;
  issuer = '';

  /** Starts it with one confidential client, registered with these redirect URIs. */
  async start(redirectUris: string[]): Promise<this> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.issuer = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const key = { ...privateKey.export({ format: 'jwk' }), kid: 'test-key', alg: 'RS256', use: 'sig' };
    this.provider = new Provider(this.issuer, {
      clients: [
        {
          client_id: this.clientId,
          client_secret: this.clientSecret,
          redirect_uris: redirectUris,
          response_types: ['code'],
          grant_types: ['authorization_code'],
        },
      ],
      jwks: { keys: [key] },
      cookies: { keys: ['a-cookie-signing-key-for-tests'] },
      claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
      pkce: { required: () => true },
      // Set, not left to the defaults, which the library asks to be chosen (and says so on each first use).
      ttl: { Interaction: 600, Session: 600, Grant: 600, AccessToken: 600, IdToken: 600, AuthorizationCode: 60 },
      features: { devInteractions: { enabled: false } },
      interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
      // The ID token carries only the protocol claims (the default): the API must read userinfo.
      findAccount: (_ctx, id) => {
        const account = this.accounts.get(id);
        return account ? { accountId: id, claims: () => ({ sub: id, ...account }) } : undefined;
      },
    });
    const callback = this.provider.callback();
    this.server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      if (request.url?.startsWith('/interaction/')) void this.approve(request, response);
      else void callback(request, response);
    });
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The API's OIDC_PROVIDERS entry for this provider. */
  entry(name: string, displayName = 'Test provider'): Record<string, string> {
    return {
      name,
      display_name: displayName,
      issuer: this.issuer,
      client_id: this.clientId,
      client_secret: this.clientSecret,
    };
  }

  private async approve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const provider = this.provider!;
    try {
      const details = await provider.interactionDetails(request, response);
      if (details.prompt.name === 'login') {
        await provider.interactionFinished(
          request,
          response,
          { login: { accountId: this.signInAs } },
          { mergeWithLastSubmission: false },
        );
        return;
      }
      const grant = new provider.Grant({
        accountId: details.session!.accountId,
        clientId: details.params.client_id as string,
      });
      const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
      if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
      if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
      await provider.interactionFinished(
        request,
        response,
        { consent: { grantId: await grant.save() } },
        { mergeWithLastSubmission: true },
      );
    } catch (error) {
      response.statusCode = 500;
      response.end(`interaction failed: ${(error as Error).message}`);
    }
  }
}

/** A browser for redirects: follows them by hand and keeps cookies per origin. */
export class Browser {
  private readonly jar = new Map<string, Map<string, string>>();

  /**
   * Follows redirects from `url` while `until` does not match the next location (at most 15);
   * returns the last response's status and location.
   */
  async follow(
    url: string,
    until: (location: URL) => boolean = () => false,
  ): Promise<{ status: number; location?: URL }> {
    let next = new URL(url);
    for (let hop = 0; hop < 15; hop++) {
      const response = await this.get(next);
      const header = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || !header) return { status: response.status };
      const location = new URL(header, next);
      if (until(location)) return { status: response.status, location };
      next = location;
    }
    throw new Error(`more than 15 redirects from ${url}`);
  }

  /** One GET with this browser's cookies for the URL's origin, keeping the ones it sets. */
  async get(url: URL): Promise<Response> {
    const cookies = this.jar.get(url.origin) ?? new Map<string, string>();
    const cookie = [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await fetch(url, { redirect: 'manual', headers: cookie ? { cookie } : {} });
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const name = pair.slice(0, pair.indexOf('=')).trim();
      const value = pair.slice(pair.indexOf('=') + 1).trim();
      const expired = attributes.some((attribute) => /^\s*(max-age=0|expires=thu, 01 jan 1970)/i.test(attribute));
      if (expired || value === '') cookies.delete(name);
      else cookies.set(name, value);
    }
    this.jar.set(url.origin, cookies);
    return response;
  }

  cookies(origin: string): Map<string, string> {
    return this.jar.get(origin) ?? new Map();
  }
}
