import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
// The lengths alone: config is read before anything else and stays free of validation decorators.
import { codePoints, PASSWORD_MAX, PASSWORD_MIN } from '../common/validation/text-length.js';
import { estimatedEntropyBits } from './secret-strength.js';

/** The placeholders `.env.example` and the Kubernetes Secret template ship with; production refuses them. */
export const EXAMPLE_SECRET_VALUES = new Set(['changethis', 'replace-me', '']);

/** Production secrets (SECRET_KEY, METRICS_TOKEN): at least this long and this unpredictable. */
const MIN_SECRET_LENGTH = 32;
const MIN_SECRET_ENTROPY_BITS = 128;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export type NodeEnv = 'development' | 'production' | 'test';
export type JwtAlgorithm = 'HS256' | 'HS384' | 'HS512';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** An OpenID Connect provider users may sign in with (OIDC_PROVIDERS). */
export interface OidcProviderConfig {
  /** The `{provider}` path segment. */
  name: string;
  displayName: string;
  issuer: string;
  clientId: string;
  /** Null for a public client (PKCE alone). */
  clientSecret: string | null;
  scopes: string;
}

export interface SmtpConfig {
  host: string | null;
  port: number;
  tls: boolean;
  ssl: boolean;
  user: string | null;
  password: string | null;
  fromEmail: string | null;
  fromName: string;
}

/**
 * The whole typed configuration, read once at start-up. The class doubles as the injection
 * token, so services ask for `AppConfig` and tests can override it with a plain object.
 */
export abstract class AppConfig {
  abstract readonly nodeEnv: NodeEnv;
  abstract readonly projectName: string;
  abstract readonly host: string;
  abstract readonly port: number;
  abstract readonly logLevel: LogLevel;
  abstract readonly localDataDir: string;
  abstract readonly secretKey: string;
  /** The one algorithm tokens are signed with and the only one accepted. */
  abstract readonly jwtAlgorithm: JwtAlgorithm;
  abstract readonly accessTokenExpireMinutes: number;
  abstract readonly refreshTokenExpireDays: number;
  abstract readonly emailResetTokenExpireHours: number;
  abstract readonly invitationExpireHours: number;
  abstract readonly emailVerifyTokenExpireHours: number;
  /** Password login refuses accounts whose email is not verified. */
  abstract readonly emailVerificationRequired: boolean;
  abstract readonly frontendHost: string;
  /** Where browsers and identity providers reach the API: the base of the SSO callback URLs. */
  abstract readonly apiPublicUrl: string;
  abstract readonly oidcProviders: OidcProviderConfig[];
  /** A first sign-in whose email has no account creates one (else 403). */
  abstract readonly oidcAutoCreate: boolean;
  /** Issuers on plain http are accepted (local providers outside production). */
  abstract readonly oidcAllowInsecureIssuer: boolean;
  abstract readonly corsOrigins: string[];
  abstract readonly databaseUrl: string;
  abstract readonly dbPoolSize: number;
  abstract readonly dbConnectTimeoutMs: number;
  abstract readonly dbStatementTimeoutMs: number;
  abstract readonly dbMigrateOnStart: boolean;
  abstract readonly redisUrl: string;
  abstract readonly redisKeyPrefix: string;
  abstract readonly healthCheckTimeoutMs: number;
  /** How long a process trusts the user and session behind a token without reading them. */
  abstract readonly authCacheTtlSeconds: number;
  /** The Redis response cache of GET routes: on/off, entry lifetime, per-operation timeout. */
  abstract readonly cacheEnabled: boolean;
  abstract readonly cacheTtlSeconds: number;
  abstract readonly cacheTimeoutMs: number;
  abstract readonly firstSuperuser: string;
  abstract readonly firstSuperuserPassword: string;
  abstract readonly usersOpenRegistration: boolean;
  /** Failed logins per email, and per client IP, within the window before 429. */
  abstract readonly loginMaxFailuresPerEmail: number;
  abstract readonly loginMaxFailuresPerIp: number;
  abstract readonly loginFailureWindowSeconds: number;
  /** Password recovery requests per email, and per client IP, within the window before 429. */
  abstract readonly recoveryMaxPerEmail: number;
  abstract readonly recoveryMaxPerIp: number;
  abstract readonly recoveryWindowSeconds: number;
  /** Failed API key attempts per client IP within the window before 429. */
  abstract readonly apiKeyMaxFailuresPerIp: number;
  abstract readonly apiKeyFailureWindowSeconds: number;
  abstract readonly bodyLimitBytes: number;
  abstract readonly docsEnabled: boolean;
  /** When set, GET /metrics requires `Authorization: Bearer <METRICS_TOKEN>`; see `metricsEnabled`. */
  abstract readonly metricsToken: string | null;
  abstract readonly shutdownTimeoutMs: number;
  /** On SIGTERM, how long the API keeps serving (readiness 503) before it stops listening. */
  abstract readonly shutdownDrainMs: number;
  abstract readonly keepAliveTimeoutMs: number;
  /** API processes `npm run start:prod` runs on one machine (node:cluster); 1 runs the API alone. */
  abstract readonly webConcurrency: number;
  /** Fastify's `trustProxy`: false, true, or the proxies' addresses (comma-separated CIDRs). */
  abstract readonly trustProxy: boolean | string;
  abstract readonly smtp: SmtpConfig;
  /** Background jobs: worker concurrency, retries, and how soon a dead worker's job is retaken. */
  abstract readonly workerConcurrency: number;
  abstract readonly jobAttempts: number;
  abstract readonly jobBackoffMs: number;
  abstract readonly workerLockDurationMs: number;
  /** An enqueue that Redis does not confirm within this time answers 503. */
  abstract readonly queueTimeoutMs: number;
}

/** Email is on when SMTP_HOST and EMAILS_FROM_EMAIL are set. */
export function emailEnabled(config: Pick<AppConfig, 'smtp'>): boolean {
  return Boolean(config.smtp.host && config.smtp.fromEmail);
}

/**
 * GET /metrics is served outside production, and in production only behind METRICS_TOKEN: the
 * metrics show versions and pool state, so a deployment must opt in rather than remember to close them.
 */
export function metricsEnabled(config: Pick<AppConfig, 'nodeEnv' | 'metricsToken'>): boolean {
  return config.nodeEnv !== 'production' || Boolean(config.metricsToken);
}

type Env = Record<string, string | undefined>;

const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const NODE_ENVS: NodeEnv[] = ['development', 'production', 'test'];

// The builders of the schema below. Each takes a value already trimmed, and its fallback applies when
// the variable is unset; a failed rule's message follows the variable's name.

const text = (fallback: string) => z.string().default(fallback);

/** Unset is null. */
const optional = (value = z.string()) => value.nullable().default(null);

function integer(min: number, max: number, fallback: number) {
  const inRange = (value: number) => Number.isInteger(value) && value >= min && value <= max;
  return z
    .string()
    .refine((value) => inRange(Number(value)), {
      error: (issue) => `must be an integer between ${min} and ${max} (got "${String(issue.input)}")`,
    })
    .transform(Number)
    .default(fallback);
}

function flag(fallback: boolean) {
  return z
    .stringbool({
      truthy: ['true', '1', 'yes', 'on'],
      falsy: ['false', '0', 'no', 'off'],
      error: (issue) => `must be true or false (got "${String(issue.input)}")`,
    })
    .default(fallback);
}

function oneOf<T extends string>(allowed: readonly T[], fallback: T) {
  return z
    .enum(allowed, { error: (issue) => `must be one of ${allowed.join(', ')} (got "${String(issue.input)}")` })
    .default(fallback);
}

/** Required; the value is not repeated in the reason, as it may hold a password. */
function url(...protocols: string[]) {
  return z
    .string({ error: 'is required' })
    .refine((value) => URL.canParse(value), { error: 'is not a valid URL', abort: true })
    .refine((value) => protocols.includes(new URL(value).protocol), `must use ${protocols.join(' or ')}`);
}

/** A comma-separated list or a JSON array of strings, as the FastAPI template's BACKEND_CORS_ORIGINS. */
function list() {
  return z
    .string()
    .transform((value, ctx) => {
      const items = value.startsWith('[') ? z.array(z.string()).safeParse(parseJson(value)).data : value.split(',');
      if (items) return items.map((item) => item.trim()).filter(Boolean);
      ctx.addIssue('must be a comma-separated list or a JSON array of strings');
      return z.NEVER;
    })
    .default([]);
}

const oidcProvider = z.object({
  name: z
    .string()
    .regex(
      /^[a-z0-9][a-z0-9_-]{0,49}$/,
      'must be 1 to 50 lower-case letters, digits, "-" or "_" (it is a path segment)',
    ),
  display_name: z.string().trim().min(1).max(100),
  issuer: z
    .string()
    .refine(
      (value) => URL.canParse(value) && ['http:', 'https:'].includes(new URL(value).protocol),
      'must be an http(s) URL',
    ),
  client_id: z.string().min(1),
  client_secret: z.string().min(1).nullable().default(null),
  scopes: z
    .string()
    .default('openid email profile')
    .refine((value) => value.split(' ').includes('openid'), 'must include "openid"'),
});

/** OIDC_PROVIDERS: a JSON array of providers with distinct names. */
function oidcProviders() {
  return z
    .string()
    .transform((value, ctx): OidcProviderConfig[] => {
      const entries = z.array(z.unknown()).safeParse(parseJson(value)).data;
      if (!entries) {
        ctx.addIssue('must be a JSON array of {name, display_name, issuer, client_id, client_secret, scopes}');
        return z.NEVER;
      }
      const providers: OidcProviderConfig[] = [];
      entries.forEach((entry, index) => {
        const parsed = oidcProvider.safeParse(entry);
        if (!parsed.success) {
          for (const issue of parsed.error.issues)
            ctx.addIssue(`entry ${index + 1}: ${issue.path.join('.') || 'value'} ${issue.message}`);
          return;
        }
        const { name, display_name, issuer, client_id, client_secret, scopes } = parsed.data;
        if (providers.some((provider) => provider.name === name))
          ctx.addIssue(`entry ${index + 1}: name "${name}" is used twice`);
        providers.push({
          name,
          displayName: display_name,
          issuer: stripTrailingSlash(issuer),
          clientId: client_id,
          clientSecret: client_secret,
          scopes,
        });
      });
      return providers;
    })
    .default([]);
}

function parseJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

/** A production secret (SECRET_KEY, METRICS_TOKEN): long enough and unpredictable enough. */
function strongSecret() {
  return z
    .string()
    .refine((value) => codePoints(value) >= MIN_SECRET_LENGTH, {
      error: `must be at least ${MIN_SECRET_LENGTH} characters in production`,
      abort: true,
    })
    .superRefine((value, ctx) => {
      const bits = Math.floor(estimatedEntropyBits(value));
      if (bits < MIN_SECRET_ENTROPY_BITS) {
        ctx.addIssue(
          `is too predictable for production (about ${bits} bits of entropy, ${MIN_SECRET_ENTROPY_BITS} needed): generate one with openssl rand -base64 48`,
        );
      }
    });
}

/** Production's SECRET_KEY: required, not a placeholder, and strong. */
function productionSecretKey() {
  const unset = 'must be set to a random secret in production (generate one with: openssl rand -base64 48)';
  return z
    .string({ error: unset })
    .refine((value) => !EXAMPLE_SECRET_VALUES.has(value), unset)
    .pipe(strongSecret());
}

/** Production's FIRST_SUPERUSER_PASSWORD, its default included: not a placeholder, and a valid password. */
function productionSuperuserPassword() {
  return z
    .string()
    .refine((value) => !EXAMPLE_SECRET_VALUES.has(value), {
      error: 'must be changed from its default in production',
      abort: true,
    })
    .refine(
      // The API refuses such a password for every other account; the most powerful one must not be weaker.
      (value) => codePoints(value) >= PASSWORD_MIN && codePoints(value) <= PASSWORD_MAX,
      `must be ${PASSWORD_MIN} to ${PASSWORD_MAX} characters in production, as the API requires of passwords`,
    )
    .prefault('changethis');
}

function stripTrailingSlash(origin: string): string {
  return origin.replace(/\/+$/, '');
}

/**
 * Every environment variable, with its rule and its default. NODE_ENV is read first and picks the
 * production rules of the secrets and LOG_LEVEL's default, so each rule stays on its variable: a
 * refinement of the whole object instead would be skipped by zod whenever another variable is
 * invalid, and its problems would not be reported with the others.
 */
function environment(production: boolean) {
  return z.object({
    NODE_ENV: oneOf(NODE_ENVS, 'development'),
    PROJECT_NAME: text('Full Stack NestJS Project'),
    HOST: text('127.0.0.1'),
    PORT: integer(0, 65535, 8000),
    LOG_LEVEL: oneOf(LOG_LEVELS, production ? 'info' : 'debug'),
    LOCAL_DATA_DIR: z.string().default(() => join(process.cwd(), '.data')),
    SECRET_KEY: production ? productionSecretKey() : optional(),
    JWT_ALGORITHM: oneOf(['HS256', 'HS384', 'HS512'], 'HS256'),
    ACCESS_TOKEN_EXPIRE_MINUTES: integer(1, 60 * 24 * 8, 30),
    REFRESH_TOKEN_EXPIRE_DAYS: integer(1, 365, 14),
    EMAIL_RESET_TOKEN_EXPIRE_HOURS: integer(1, 24 * 30, 48),
    INVITATION_EXPIRE_HOURS: integer(1, 24 * 30, 72),
    EMAIL_VERIFY_TOKEN_EXPIRE_HOURS: integer(1, 24 * 30, 48),
    EMAIL_VERIFICATION_REQUIRED: flag(false),
    FRONTEND_HOST: url('http:', 'https:').transform(stripTrailingSlash).prefault('http://localhost:5173'),
    API_PUBLIC_URL: optional(url('http:', 'https:')),
    OIDC_PROVIDERS: oidcProviders(),
    OIDC_AUTO_CREATE: flag(true),
    OIDC_ALLOW_INSECURE_ISSUER: production
      ? flag(false).refine((allowed) => !allowed, 'must not be true in production')
      : flag(false),
    BACKEND_CORS_ORIGINS: list().transform((origins) => origins.map(stripTrailingSlash)),
    DATABASE_URL: url('postgres:', 'postgresql:'),
    DB_POOL_SIZE: integer(1, 200, 10),
    DB_CONNECT_TIMEOUT_MS: integer(100, 60000, 2000),
    DB_STATEMENT_TIMEOUT_MS: integer(100, 600000, 5000),
    DB_MIGRATE_ON_START: flag(true),
    REDIS_URL: url('redis:', 'rediss:'),
    REDIS_KEY_PREFIX: text('app'),
    HEALTH_CHECK_TIMEOUT_MS: integer(50, 10000, 1000),
    AUTH_CACHE_TTL_SECONDS: integer(0, 3600, 60),
    CACHE_ENABLED: flag(true),
    CACHE_TTL_SECONDS: integer(1, 86400, 60),
    CACHE_TIMEOUT_MS: integer(10, 5000, 150),
    FIRST_SUPERUSER: text('admin@example.com'),
    FIRST_SUPERUSER_PASSWORD: production ? productionSuperuserPassword() : text('changethis'),
    USERS_OPEN_REGISTRATION: flag(true),
    LOGIN_MAX_FAILURES_PER_EMAIL: integer(1, 100000, 10),
    LOGIN_MAX_FAILURES_PER_IP: integer(1, 1000000, 100),
    LOGIN_FAILURE_WINDOW_SECONDS: integer(1, 86400, 900),
    RECOVERY_MAX_PER_EMAIL: integer(1, 100000, 5),
    RECOVERY_MAX_PER_IP: integer(1, 1000000, 50),
    RECOVERY_WINDOW_SECONDS: integer(1, 86400, 3600),
    API_KEY_MAX_FAILURES_PER_IP: integer(1, 1000000, 100),
    API_KEY_FAILURE_WINDOW_SECONDS: integer(1, 86400, 900),
    BODY_LIMIT_BYTES: integer(1024, 50 * 1024 * 1024, 102400),
    DOCS_ENABLED: flag(true),
    METRICS_TOKEN: production ? optional(strongSecret()) : optional(),
    SHUTDOWN_TIMEOUT_MS: integer(0, 600000, 10000),
    SHUTDOWN_DRAIN_MS: integer(0, 600000, 2000),
    KEEP_ALIVE_TIMEOUT_MS: integer(1000, 600000, 65000),
    WEB_CONCURRENCY: integer(1, 64, 1),
    // true or false (any case), or else the proxies' addresses as given.
    TRUST_PROXY: z.union([z.stringbool({ truthy: ['true'], falsy: ['false'] }), z.string()]).default(false),
    WORKER_CONCURRENCY: integer(1, 1000, 5),
    JOB_ATTEMPTS: integer(1, 100, 5),
    JOB_BACKOFF_MS: integer(10, 3_600_000, 1000),
    WORKER_LOCK_DURATION_MS: integer(1000, 600000, 30000),
    QUEUE_TIMEOUT_MS: integer(50, 10000, 1000),
    SMTP_HOST: optional(),
    SMTP_PORT: integer(1, 65535, 587),
    SMTP_TLS: flag(true),
    SMTP_SSL: flag(false),
    SMTP_USER: optional(),
    SMTP_PASSWORD: optional(),
    EMAILS_FROM_EMAIL: optional(),
    EMAILS_FROM_NAME: optional(), // PROJECT_NAME when unset
  });
}

type Environment = z.output<ReturnType<typeof environment>>;

/**
 * Outside production a missing SECRET_KEY gets a random one, kept in the local data folder so
 * tokens survive restarts; never a fixed, guessable default.
 */
function localSecretKey(dataDir: string): string {
  const file = join(dataDir, 'secret-key');
  if (existsSync(file)) {
    const stored = readFileSync(file, 'utf8').trim();
    if (stored.length >= 32) return stored;
  }
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

function appConfig(env: Environment): AppConfig {
  return {
    nodeEnv: env.NODE_ENV,
    projectName: env.PROJECT_NAME,
    host: env.HOST,
    port: env.PORT,
    logLevel: env.LOG_LEVEL,
    localDataDir: env.LOCAL_DATA_DIR,
    // Outside production the example value counts as unset: a copied .env.example must not
    // sign tokens with a published secret. (Production refuses it.)
    secretKey:
      env.SECRET_KEY !== null && !EXAMPLE_SECRET_VALUES.has(env.SECRET_KEY)
        ? env.SECRET_KEY
        : localSecretKey(env.LOCAL_DATA_DIR),
    jwtAlgorithm: env.JWT_ALGORITHM,
    accessTokenExpireMinutes: env.ACCESS_TOKEN_EXPIRE_MINUTES,
    refreshTokenExpireDays: env.REFRESH_TOKEN_EXPIRE_DAYS,
    emailResetTokenExpireHours: env.EMAIL_RESET_TOKEN_EXPIRE_HOURS,
    invitationExpireHours: env.INVITATION_EXPIRE_HOURS,
    emailVerifyTokenExpireHours: env.EMAIL_VERIFY_TOKEN_EXPIRE_HOURS,
    emailVerificationRequired: env.EMAIL_VERIFICATION_REQUIRED,
    frontendHost: env.FRONTEND_HOST,
    apiPublicUrl: stripTrailingSlash(env.API_PUBLIC_URL ?? `http://127.0.0.1:${env.PORT}`),
    oidcProviders: env.OIDC_PROVIDERS,
    oidcAutoCreate: env.OIDC_AUTO_CREATE,
    oidcAllowInsecureIssuer: env.OIDC_ALLOW_INSECURE_ISSUER,
    corsOrigins: [...new Set([env.FRONTEND_HOST, ...env.BACKEND_CORS_ORIGINS])],
    databaseUrl: env.DATABASE_URL,
    dbPoolSize: env.DB_POOL_SIZE,
    dbConnectTimeoutMs: env.DB_CONNECT_TIMEOUT_MS,
    dbStatementTimeoutMs: env.DB_STATEMENT_TIMEOUT_MS,
    dbMigrateOnStart: env.DB_MIGRATE_ON_START,
    redisUrl: env.REDIS_URL,
    redisKeyPrefix: env.REDIS_KEY_PREFIX,
    healthCheckTimeoutMs: env.HEALTH_CHECK_TIMEOUT_MS,
    authCacheTtlSeconds: env.AUTH_CACHE_TTL_SECONDS,
    cacheEnabled: env.CACHE_ENABLED,
    cacheTtlSeconds: env.CACHE_TTL_SECONDS,
    cacheTimeoutMs: env.CACHE_TIMEOUT_MS,
    firstSuperuser: env.FIRST_SUPERUSER,
    firstSuperuserPassword: env.FIRST_SUPERUSER_PASSWORD,
    usersOpenRegistration: env.USERS_OPEN_REGISTRATION,
    loginMaxFailuresPerEmail: env.LOGIN_MAX_FAILURES_PER_EMAIL,
    loginMaxFailuresPerIp: env.LOGIN_MAX_FAILURES_PER_IP,
    loginFailureWindowSeconds: env.LOGIN_FAILURE_WINDOW_SECONDS,
    recoveryMaxPerEmail: env.RECOVERY_MAX_PER_EMAIL,
    recoveryMaxPerIp: env.RECOVERY_MAX_PER_IP,
    recoveryWindowSeconds: env.RECOVERY_WINDOW_SECONDS,
    apiKeyMaxFailuresPerIp: env.API_KEY_MAX_FAILURES_PER_IP,
    apiKeyFailureWindowSeconds: env.API_KEY_FAILURE_WINDOW_SECONDS,
    bodyLimitBytes: env.BODY_LIMIT_BYTES,
    docsEnabled: env.DOCS_ENABLED,
    metricsToken: env.METRICS_TOKEN,
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    shutdownDrainMs: env.SHUTDOWN_DRAIN_MS,
    keepAliveTimeoutMs: env.KEEP_ALIVE_TIMEOUT_MS,
    webConcurrency: env.WEB_CONCURRENCY,
    trustProxy: env.TRUST_PROXY,
    workerConcurrency: env.WORKER_CONCURRENCY,
    jobAttempts: env.JOB_ATTEMPTS,
    jobBackoffMs: env.JOB_BACKOFF_MS,
    workerLockDurationMs: env.WORKER_LOCK_DURATION_MS,
    queueTimeoutMs: env.QUEUE_TIMEOUT_MS,
    smtp: {
      host: env.SMTP_HOST,
      port: env.SMTP_PORT,
      tls: env.SMTP_TLS,
      ssl: env.SMTP_SSL,
      user: env.SMTP_USER,
      password: env.SMTP_PASSWORD,
      fromEmail: env.EMAILS_FROM_EMAIL,
      fromName: env.EMAILS_FROM_NAME ?? env.PROJECT_NAME,
    },
  };
}

/** The variables' values, trimmed; a blank one counts as unset. */
function givenValues(env: Env): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).flatMap(([name, value]) => (value?.trim() ? [[name, value.trim()]] : [])),
  );
}

export function loadConfig(env: Env = process.env): AppConfig {
  const values = givenValues(env);
  const parsed = environment(values.NODE_ENV === 'production').safeParse(values);
  const problems = parsed.success
    ? settingsInConflict(parsed.data)
    : parsed.error.issues.map((issue) => `${String(issue.path[0])} ${issue.message}`);
  if (problems.length > 0 || !parsed.success) throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  return Object.freeze(appConfig(parsed.data));
}

/** The rules that join several variables, checked once each variable is valid on its own. */
function settingsInConflict(env: Environment): string[] {
  const problems: string[] = [];
  if (!env.OIDC_ALLOW_INSECURE_ISSUER) {
    for (const provider of env.OIDC_PROVIDERS) {
      if (new URL(provider.issuer).protocol !== 'https:')
        problems.push(
          `OIDC_PROVIDERS issuer of "${provider.name}" must use https: (or set OIDC_ALLOW_INSECURE_ISSUER=true outside production)`,
        );
    }
  }
  if (env.NODE_ENV === 'production' && env.OIDC_PROVIDERS.length > 0 && env.API_PUBLIC_URL === null)
    problems.push('API_PUBLIC_URL is required in production when OIDC_PROVIDERS is set (the providers redirect to it)');
  if (env.EMAIL_VERIFICATION_REQUIRED && !(env.SMTP_HOST && env.EMAILS_FROM_EMAIL))
    problems.push(
      'EMAIL_VERIFICATION_REQUIRED needs email (SMTP_HOST and EMAILS_FROM_EMAIL): nobody could verify an address',
    );
  return problems;
}

/** The validated configuration, or exit 1 with its one-line reason: for the entry points. */
export function loadConfigOrExit(): AppConfig {
  try {
    return loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}

/** Loads `.env` from the working directory when present; real environment variables win. */
export function loadEnvFile(path = join(process.cwd(), '.env')): void {
  if (existsSync(path)) process.loadEnvFile(path);
}
