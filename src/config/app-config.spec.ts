import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from './app-config.js';

describe(loadConfig.name, () => {
  let dataDir: string;
  const base = () => ({
    DATABASE_URL: 'postgresql://app:secret@127.0.0.1:5432/app',
    REDIS_URL: 'redis://127.0.0.1:6379',
    LOCAL_DATA_DIR: dataDir,
  });
  const production = () => ({
    ...base(),
    NODE_ENV: 'production',
    SECRET_KEY: 'k'.repeat(48),
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
    expect(loadConfig(production()).secretKey).toBe('k'.repeat(48));
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
    expect(() => loadConfig({ ...production(), SECRET_KEY: 'short' })).toThrow(/at least 32 characters/);
    expect(() => loadConfig({ ...production(), FIRST_SUPERUSER_PASSWORD: 'changethis' })).toThrow(/FIRST_SUPERUSER_PASSWORD/);
  });

  it('reports every invalid value at once', () => {
    const start = () => loadConfig({ ...base(), PORT: 'eighty', DB_POOL_SIZE: '0', USERS_OPEN_REGISTRATION: 'maybe', LOG_LEVEL: 'loud' });
    expect(start).toThrow(/PORT must be an integer.*LOG_LEVEL must be one of.*DB_POOL_SIZE must be an integer.*USERS_OPEN_REGISTRATION must be true or false/);
  });

  it('requires database and Redis URLs with the right schemes', () => {
    expect(() => loadConfig({ LOCAL_DATA_DIR: dataDir })).toThrow(/DATABASE_URL is required.*REDIS_URL is required/);
    expect(() => loadConfig({ ...base(), DATABASE_URL: 'mysql://x/y' })).toThrow(/DATABASE_URL must use postgres:/);
    expect(() => loadConfig({ ...base(), REDIS_URL: 'not a url' })).toThrow(/REDIS_URL is not a valid URL/);
  });

  it('reads CORS origins as a comma list or a JSON array, plus FRONTEND_HOST', () => {
    const fromList = loadConfig({ ...base(), FRONTEND_HOST: 'https://app.example.com/', BACKEND_CORS_ORIGINS: 'http://a.test, http://b.test/' });
    expect(fromList.corsOrigins).toEqual(['https://app.example.com', 'http://a.test', 'http://b.test']);
    const fromJson = loadConfig({ ...base(), BACKEND_CORS_ORIGINS: '["http://a.test"]' });
    expect(fromJson.corsOrigins).toEqual(['http://localhost:5173', 'http://a.test']);
    expect(() => loadConfig({ ...base(), BACKEND_CORS_ORIGINS: '[1, 2' })).toThrow(/BACKEND_CORS_ORIGINS/);
  });
});
