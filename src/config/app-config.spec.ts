import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, metricsEnabled } from './app-config.js';

describe(loadConfig.name, () => {
  let dataDir: string;
  const base = () => ({
    DATABASE_URL: 'postgresql://app:secret@127.0.0.1:5432/app',
    REDIS_URL: 'redis://127.0.0.1:6379',
    LOCAL_DATA_DIR: dataDir,
  });
  const strongSecret = randomBytes(48).toString('base64');
  const production = () => ({
    ...base(),
    NODE_ENV: 'production',
    SECRET_KEY: strongSecret,
    FIRST_SUPERUSER_PASSWORD: 'a-real-password',
  });

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'config-spec-'));
  });

  afterEach(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('applies the documented defaults', () => {
    const sut = loadConfig(base());
    expect(sut).toMatchObject({
      nodeEnv: 'development',
      host: '127.0.0.1',
      port: 8000,
      accessTokenExpireMinutes: 30,
      bodyLimitBytes: 102400,
      dbPoolSize: 10,
      frontendHost: 'http://localhost:5173',
      corsOrigins: ['http://localhost:5173'],
      usersOpenRegistration: true,
      trustProxy: false,
    });
  });

  it('generates a development secret once and keeps it in the data folder', () => {
    const first = loadConfig(base()).secretKey;
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect(readFileSync(join(dataDir, 'secret-key'), 'utf8').trim()).toBe(first);
    expect(loadConfig(base()).secretKey).toBe(first);
  });

  it('never signs with the example secret outside production', () => {
    const sut = loadConfig({ ...base(), SECRET_KEY: 'changethis' });
    expect(sut.secretKey).not.toBe('changethis');
    expect(sut.secretKey.length).toBeGreaterThanOrEqual(32);
  });

  it('accepts a production configuration with real secrets', () => {
    const sut = loadConfig(production());
    expect(sut.secretKey).toBe(strongSecret);
    expect(sut.metricsToken).toBeNull();
  });

  it.each([
    ['openssl rand -base64 48', () => randomBytes(48).toString('base64')],
    ['openssl rand -hex 32', () => randomBytes(32).toString('hex')],
    ['randomBytes(32) as base64url', () => randomBytes(32).toString('base64url')],
  ])('accepts generated secrets (%s) as SECRET_KEY and METRICS_TOKEN in production', (_, generate) => {
    for (let i = 0; i < 200; i++) {
      const [secret, token] = [generate(), generate()];
      expect(loadConfig({ ...production(), SECRET_KEY: secret, METRICS_TOKEN: token })).toMatchObject({
        secretKey: secret,
        metricsToken: token,
      });
    }
  });

  it.each([
    ['unset', undefined],
    ['the example value', 'changethis'],
  ])('refuses production with SECRET_KEY %s, in one line', (_, secret) => {
    const start = () => loadConfig({ ...production(), SECRET_KEY: secret });
    expect(start).toThrow(ConfigError);
    expect(start).toThrow(/^Invalid configuration: SECRET_KEY must be set to a random secret in production[^\n]*$/);
  });

  it('refuses production with a short secret or the default superuser password', () => {
    expect(() => loadConfig({ ...production(), SECRET_KEY: 'short' })).toThrow(
      /SECRET_KEY must be at least 32 characters/,
    );
    expect(() => loadConfig({ ...production(), FIRST_SUPERUSER_PASSWORD: 'changethis' })).toThrow(
      /FIRST_SUPERUSER_PASSWORD must be changed/,
    );
    expect(() => loadConfig({ ...production(), FIRST_SUPERUSER_PASSWORD: 'replace-me' })).toThrow(
      /FIRST_SUPERUSER_PASSWORD must be changed/,
    );
  });

  it.each([
    ['one character repeated', 'a'.repeat(32)],
    ['the example value repeated', 'changethis'.repeat(6)],
    ['two characters alternating', 'ab'.repeat(24)],
    ['a phrase with few distinct characters', 'correct horse battery staple!!!!'],
  ])('refuses production with a predictable SECRET_KEY (%s), in one line', (_, secret) => {
    const start = () => loadConfig({ ...production(), SECRET_KEY: secret });
    expect(start).toThrow(ConfigError);
    expect(start).toThrow(
      /^Invalid configuration: SECRET_KEY is too predictable for production \(about \d+ bits of entropy, 128 needed\)[^\n]*$/,
    );
  });

  it.each([
    ['of 1 character', 'x'],
    ['of 7 characters', 'abcdefg'],
    ['of 129 characters', 'p'.repeat(129)],
  ])('refuses production with a FIRST_SUPERUSER_PASSWORD %s, as the API would', (_, password) => {
    expect(() => loadConfig({ ...production(), FIRST_SUPERUSER_PASSWORD: password })).toThrow(
      /^Invalid configuration: FIRST_SUPERUSER_PASSWORD must be 8 to 128 characters in production, as the API requires of passwords$/,
    );
  });

  it('counts the superuser password in code points, as the API does', () => {
    expect(loadConfig({ ...production(), FIRST_SUPERUSER_PASSWORD: '🔑'.repeat(8) }).firstSuperuserPassword).toBe(
      '🔑'.repeat(8),
    );
    expect(
      loadConfig({ ...production(), FIRST_SUPERUSER_PASSWORD: '🔑'.repeat(128) }).firstSuperuserPassword,
    ).toHaveLength(256);
    expect(() => loadConfig({ ...production(), FIRST_SUPERUSER_PASSWORD: '🔑'.repeat(7) })).toThrow(
      /FIRST_SUPERUSER_PASSWORD must be 8 to 128/,
    );
  });

  it('refuses production with a short or predictable METRICS_TOKEN', () => {
    expect(() => loadConfig({ ...production(), METRICS_TOKEN: 'scrape-secret' })).toThrow(
      /^Invalid configuration: METRICS_TOKEN must be at least 32 characters in production$/,
    );
    expect(() => loadConfig({ ...production(), METRICS_TOKEN: 'metrics'.repeat(6) })).toThrow(
      /METRICS_TOKEN is too predictable/,
    );
  });

  it('keeps weak values working outside production', () => {
    const sut = loadConfig({
      ...base(),
      SECRET_KEY: 'a'.repeat(32),
      FIRST_SUPERUSER_PASSWORD: 'x',
      METRICS_TOKEN: 'scrape-secret',
    });
    expect(sut).toMatchObject({
      secretKey: 'a'.repeat(32),
      firstSuperuserPassword: 'x',
      metricsToken: 'scrape-secret',
    });
  });

  it('serves metrics in production only with METRICS_TOKEN, and elsewhere always', () => {
    expect(metricsEnabled({ nodeEnv: 'production', metricsToken: null })).toBe(false);
    expect(metricsEnabled({ nodeEnv: 'production', metricsToken: 'a-token' })).toBe(true);
    expect(metricsEnabled({ nodeEnv: 'development', metricsToken: null })).toBe(true);
    expect(metricsEnabled({ nodeEnv: 'test', metricsToken: 'a-token' })).toBe(true);
  });

  it('reports every invalid value at once', () => {
    const start = () =>
      loadConfig({ ...base(), PORT: 'eighty', DB_POOL_SIZE: '0', USERS_OPEN_REGISTRATION: 'maybe', LOG_LEVEL: 'loud' });
    expect(start).toThrow(
      /PORT must be an integer.*LOG_LEVEL must be one of.*DB_POOL_SIZE must be an integer.*USERS_OPEN_REGISTRATION must be true or false/,
    );
  });

  it('requires database and Redis URLs with the right schemes', () => {
    expect(() => loadConfig({ LOCAL_DATA_DIR: dataDir })).toThrow(/DATABASE_URL is required.*REDIS_URL is required/);
    expect(() => loadConfig({ ...base(), DATABASE_URL: 'mysql://x/y' })).toThrow(/DATABASE_URL must use postgres:/);
    expect(() => loadConfig({ ...base(), REDIS_URL: 'not a url' })).toThrow(/REDIS_URL is not a valid URL/);
  });

  it('reads CORS origins as a comma list or a JSON array, plus FRONTEND_HOST', () => {
    const fromList = loadConfig({
      ...base(),
      FRONTEND_HOST: 'https://app.example.com/',
      BACKEND_CORS_ORIGINS: 'http://a.test, http://b.test/',
    });
    expect(fromList.corsOrigins).toEqual(['https://app.example.com', 'http://a.test', 'http://b.test']);
    const fromJson = loadConfig({ ...base(), BACKEND_CORS_ORIGINS: '["http://a.test"]' });
    expect(fromJson.corsOrigins).toEqual(['http://localhost:5173', 'http://a.test']);
    expect(() => loadConfig({ ...base(), BACKEND_CORS_ORIGINS: '[1, 2' })).toThrow(/BACKEND_CORS_ORIGINS/);
  });
  it('reads a blank value as unset and trims the others', () => {
    const sut = loadConfig({ ...base(), PORT: '  ', DB_POOL_SIZE: ' 20 ', HOST: ' 0.0.0.0 ', SMTP_HOST: ' ' });
    expect(sut).toMatchObject({ port: 8000, dbPoolSize: 20, host: '0.0.0.0', smtp: { host: null } });
    expect(() => loadConfig({ ...base(), DATABASE_URL: ' ' })).toThrow(
      /^Invalid configuration: DATABASE_URL is required$/,
    );
  });

  it('names the variable, its rule and the value it refuses', () => {
    expect(() => loadConfig({ ...base(), PORT: 'abc' })).toThrow(
      /^Invalid configuration: PORT must be an integer between 0 and 65535 \(got "abc"\)$/,
    );
    expect(() => loadConfig({ ...base(), DB_POOL_SIZE: '1.5' })).toThrow(
      /DB_POOL_SIZE must be an integer between 1 and 200/,
    );
    expect(() => loadConfig({ ...base(), NODE_ENV: 'prod' })).toThrow(
      /^Invalid configuration: NODE_ENV must be one of development, production, test \(got "prod"\)$/,
    );
    expect(() => loadConfig({ ...base(), FRONTEND_HOST: 'ftp://app.example.com' })).toThrow(
      /^Invalid configuration: FRONTEND_HOST must use http: or https:$/,
    );
    expect(loadConfig({ ...base(), PORT: '0', DB_POOL_SIZE: '200' })).toMatchObject({ port: 0, dbPoolSize: 200 });
  });

  it.each([
    ['true', true],
    ['1', true],
    ['Yes', true],
    ['ON', true],
    ['FALSE', false],
    ['0', false],
    ['no', false],
    ['Off', false],
  ])('reads the boolean spelling %s', (value, expected) => {
    expect(loadConfig({ ...base(), DOCS_ENABLED: value }).docsEnabled).toBe(expected);
  });

  it.each(['y', 'enabled', 'maybe'])('refuses the boolean spelling %s', (value) => {
    expect(() => loadConfig({ ...base(), DOCS_ENABLED: value })).toThrow(
      new ConfigError(`Invalid configuration: DOCS_ENABLED must be true or false (got "${value}")`),
    );
  });

  it('reads TRUST_PROXY as true, false or the proxies given', () => {
    expect(loadConfig(base()).trustProxy).toBe(false);
    expect(loadConfig({ ...base(), TRUST_PROXY: 'TRUE' }).trustProxy).toBe(true);
    expect(loadConfig({ ...base(), TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(loadConfig({ ...base(), TRUST_PROXY: ' 10.0.0.0/8, 127.0.0.1 ' }).trustProxy).toBe('10.0.0.0/8, 127.0.0.1');
  });

  it('reads a JSON array of CORS origins trimmed, without blanks and trailing slashes', () => {
    const sut = loadConfig({ ...base(), BACKEND_CORS_ORIGINS: '[" http://a.test/ ", "", "http://localhost:5173"]' });
    expect(sut.corsOrigins).toEqual(['http://localhost:5173', 'http://a.test']);
    for (const value of ['[1]', '["http://a.test", 2]', '["http://a.test"']) {
      expect(() => loadConfig({ ...base(), BACKEND_CORS_ORIGINS: value })).toThrow(
        /^Invalid configuration: BACKEND_CORS_ORIGINS must be a comma-separated list or a JSON array of strings$/,
      );
    }
  });

  it('sends email as PROJECT_NAME unless EMAILS_FROM_NAME is set', () => {
    expect(loadConfig({ ...base(), PROJECT_NAME: 'Shop' }).smtp.fromName).toBe('Shop');
    expect(loadConfig({ ...base(), PROJECT_NAME: 'Shop', EMAILS_FROM_NAME: 'Shop Team' }).smtp.fromName).toBe(
      'Shop Team',
    );
  });

  it('logs at debug by default, and at info in production', () => {
    expect(loadConfig(base()).logLevel).toBe('debug');
    expect(loadConfig(production()).logLevel).toBe('info');
  });

  it('returns a frozen configuration', () => {
    expect(Object.isFrozen(loadConfig(base()))).toBe(true);
  });

  it('writes no secret file when SECRET_KEY is given, or when the configuration is refused', () => {
    expect(loadConfig({ ...base(), SECRET_KEY: 'a'.repeat(32) }).secretKey).toBe('a'.repeat(32));
    expect(() => loadConfig({ ...base(), PORT: 'abc' })).toThrow(ConfigError);
    expect(existsSync(join(dataDir, 'secret-key'))).toBe(false);
  });

  it('refuses production with FIRST_SUPERUSER_PASSWORD unset, as its default is the example value', () => {
    const { FIRST_SUPERUSER_PASSWORD: _, ...unset } = production();
    expect(() => loadConfig(unset)).toThrow(
      /^Invalid configuration: FIRST_SUPERUSER_PASSWORD must be changed from its default in production$/,
    );
  });

  it('reports production problems with the other invalid values, at once', () => {
    const start = () =>
      loadConfig({
        ...production(),
        PORT: 'abc',
        SECRET_KEY: 'short',
        USERS_OPEN_REGISTRATION: 'maybe',
        METRICS_TOKEN: 'metrics'.repeat(6),
        REDIS_URL: undefined,
      });
    expect(start).toThrow(
      new ConfigError(
        'Invalid configuration: PORT must be an integer between 0 and 65535 (got "abc"); ' +
          'SECRET_KEY must be at least 32 characters in production; REDIS_URL is required; ' +
          'USERS_OPEN_REGISTRATION must be true or false (got "maybe"); ' +
          'METRICS_TOKEN is too predictable for production (about 19 bits of entropy, 128 needed): generate one with openssl rand -base64 48',
      ),
    );
  });

  describe('single sign-on and email verification', () => {
    const provider = (fields: Record<string, unknown> = {}) => ({
      name: 'acme',
      display_name: 'Acme SSO',
      issuer: 'https://login.acme.example/',
      client_id: 'api',
      client_secret: 'secret',
      ...fields,
    });
    const withProviders = (...providers: unknown[]) => ({ ...base(), OIDC_PROVIDERS: JSON.stringify(providers) });

    it('is off by default: no providers, accounts made when none matches, verification not required', () => {
      expect(loadConfig(base())).toMatchObject({
        oidcProviders: [],
        oidcAutoCreate: true,
        oidcAllowInsecureIssuer: false,
        apiPublicUrl: 'http://127.0.0.1:8000',
        emailVerificationRequired: false,
        emailVerifyTokenExpireHours: 48,
      });
      expect(loadConfig({ ...base(), PORT: '9000' }).apiPublicUrl).toBe('http://127.0.0.1:9000');
      expect(loadConfig({ ...base(), API_PUBLIC_URL: 'https://api.acme.example/' }).apiPublicUrl).toBe(
        'https://api.acme.example',
      );
    });

    it('reads providers from JSON, with the default scopes and an optional secret', () => {
      const sut = loadConfig(
        withProviders(provider(), provider({ name: 'okta', client_secret: undefined, scopes: 'openid email' })),
      );
      expect(sut.oidcProviders).toEqual([
        {
          name: 'acme',
          displayName: 'Acme SSO',
          issuer: 'https://login.acme.example',
          clientId: 'api',
          clientSecret: 'secret',
          scopes: 'openid email profile',
        },
        {
          name: 'okta',
          displayName: 'Acme SSO',
          issuer: 'https://login.acme.example',
          clientId: 'api',
          clientSecret: null,
          scopes: 'openid email',
        },
      ]);
    });

    it.each([
      ['not JSON', '{nope', /OIDC_PROVIDERS must be a JSON array/],
      ['an object', '{}', /OIDC_PROVIDERS must be a JSON array/],
      [
        'a name that is no path segment',
        JSON.stringify([provider({ name: 'Acme/../x' })]),
        /entry 1: name must be 1 to 50/,
      ],
      ['no client id', JSON.stringify([provider({ client_id: '' })]), /entry 1: client_id/],
      [
        'an issuer that is no URL',
        JSON.stringify([provider({ issuer: 'login.acme' })]),
        /entry 1: issuer must be an http\(s\) URL/,
      ],
      [
        'scopes without openid',
        JSON.stringify([provider({ scopes: 'email profile' })]),
        /entry 1: scopes must include "openid"/,
      ],
      ['a name used twice', JSON.stringify([provider(), provider()]), /entry 2: name "acme" is used twice/],
    ])('refuses OIDC_PROVIDERS with %s', (_, value, reason) => {
      expect(() => loadConfig({ ...base(), OIDC_PROVIDERS: value })).toThrow(reason);
    });

    it('refuses an issuer on plain http unless OIDC_ALLOW_INSECURE_ISSUER, which production refuses', () => {
      const local = withProviders(provider({ issuer: 'http://127.0.0.1:9999' }));
      expect(() => loadConfig(local)).toThrow(/issuer of "acme" must use https:/);
      expect(loadConfig({ ...local, OIDC_ALLOW_INSECURE_ISSUER: 'true' }).oidcProviders).toHaveLength(1);
      expect(() => loadConfig({ ...production(), OIDC_ALLOW_INSECURE_ISSUER: 'true' })).toThrow(
        /OIDC_ALLOW_INSECURE_ISSUER must not be true in production/,
      );
    });

    it('requires API_PUBLIC_URL in production when providers are configured', () => {
      const configured = { ...production(), OIDC_PROVIDERS: JSON.stringify([provider()]) };
      expect(() => loadConfig(configured)).toThrow(/API_PUBLIC_URL is required in production/);
      expect(loadConfig({ ...configured, API_PUBLIC_URL: 'https://api.acme.example' }).apiPublicUrl).toBe(
        'https://api.acme.example',
      );
    });

    it('requires email to be configured for EMAIL_VERIFICATION_REQUIRED', () => {
      expect(() => loadConfig({ ...base(), EMAIL_VERIFICATION_REQUIRED: 'true' })).toThrow(
        /EMAIL_VERIFICATION_REQUIRED needs email/,
      );
      const withEmail = {
        ...base(),
        EMAIL_VERIFICATION_REQUIRED: 'true',
        SMTP_HOST: 'smtp',
        EMAILS_FROM_EMAIL: 'a@b.c',
      };
      expect(loadConfig(withEmail).emailVerificationRequired).toBe(true);
    });
  });
});
