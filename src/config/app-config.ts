import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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
  abstract readonly frontendHost: string;
  abstract readonly corsOrigins: string[];
  abstract readonly databaseUrl: string;
  abstract readonly dbPoolSize: number;
  abstract readonly dbConnectTimeoutMs: number;
  abstract readonly dbStatementTimeoutMs: number;
  abstract readonly dbMigrateOnStart: boolean;
  abstract readonly redisUrl: string;
  abstract readonly redisKeyPrefix: string;
  abstract readonly healthCheckTimeoutMs: number;
  /** The Redis response cache of GET routes: on/off, entry lifetime, per-operation timeout. */
  /** How long a process trusts the user and session behind a token without reading them. */
  abstract readonly authCacheTtlSeconds: number;
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

class EnvReader {
  readonly problems: string[] = [];
  constructor(private readonly env: Env) {}

  raw(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  }

  string(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  optional(name: string): string | null {
    return this.raw(name) ?? null;
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
      this.problems.push(`${name} must be an integer between ${min} and ${max} (got "${value}")`);
      return fallback;
    }
    return parsed;
  }

  bool(name: string, fallback: boolean): boolean {
    const value = this.raw(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if (['true', '1', 'yes', 'on'].includes(value)) return true;
    if (['false', '0', 'no', 'off'].includes(value)) return false;
    this.problems.push(`${name} must be true or false (got "${value}")`);
    return fallback;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (!allowed.includes(value as T)) {
      this.problems.push(`${name} must be one of ${allowed.join(', ')} (got "${value}")`);
      return fallback;
    }
    return value as T;
  }

  url(name: string, fallback: string | undefined, protocols: string[]): string {
    const value = this.raw(name) ?? fallback;
    if (value === undefined) {
      this.problems.push(`${name} is required`);
      return '';
    }
    try {
      const parsed = new URL(value);
      if (!protocols.includes(parsed.protocol)) {
        this.problems.push(`${name} must use ${protocols.join(' or ')}`);
      }
    } catch {
      this.problems.push(`${name} is not a valid URL`);
    }
    return value;
  }

  trustProxy(name: string): boolean | string {
    const value = this.raw(name);
    if (value === undefined) return false;
    const lower = value.toLowerCase();
    if (lower === 'true' || lower === 'false') return lower === 'true';
    return value;
  }

  /** A comma-separated list or a JSON array, as the FastAPI template's BACKEND_CORS_ORIGINS. */
  list(name: string): string[] {
    const value = this.raw(name);
    if (value === undefined) return [];
    if (value.startsWith('[')) {
      try {
        const parsed: unknown = JSON.parse(value);
        if (Array.isArray(parsed) && parsed.every((v) => typeof v === 'string')) {
          return parsed.map((v) => v.trim()).filter(Boolean);
        }
      } catch {
        // reported below
      }
      this.problems.push(`${name} must be a comma-separated list or a JSON array of strings`);
      return [];
    }
    return value
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean);
  }
}

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

/** Why `value` is too weak to be a production secret, or null when it is strong enough. */
function weakSecret(name: string, value: string): string | null {
  if (codePoints(value) < MIN_SECRET_LENGTH)
    return `${name} must be at least ${MIN_SECRET_LENGTH} characters in production`;
  const bits = Math.floor(estimatedEntropyBits(value));
  if (bits < MIN_SECRET_ENTROPY_BITS) {
    return `${name} is too predictable for production (about ${bits} bits of entropy, ${MIN_SECRET_ENTROPY_BITS} needed): generate one with openssl rand -base64 48`;
  }
  return null;
}

function stripTrailingSlash(origin: string): string {
  return origin.replace(/\/+$/, '');
}

export function loadConfig(env: Env = process.env): AppConfig {
  const read = new EnvReader(env);
  const nodeEnv = read.oneOf('NODE_ENV', NODE_ENVS, 'development');
  const production = nodeEnv === 'production';
  const localDataDir = read.string('LOCAL_DATA_DIR', join(process.cwd(), '.data'));

  const providedSecret = read.raw('SECRET_KEY');
  const firstSuperuserPassword = read.string('FIRST_SUPERUSER_PASSWORD', 'changethis');
  const metricsToken = read.optional('METRICS_TOKEN');
  if (production) {
    if (providedSecret === undefined || EXAMPLE_SECRET_VALUES.has(providedSecret)) {
      read.problems.push(
        'SECRET_KEY must be set to a random secret in production (generate one with: openssl rand -base64 48)',
      );
    } else {
      const weakness = weakSecret('SECRET_KEY', providedSecret);
      if (weakness) read.problems.push(weakness);
    }
    const passwordLength = codePoints(firstSuperuserPassword);
    if (EXAMPLE_SECRET_VALUES.has(firstSuperuserPassword)) {
      read.problems.push('FIRST_SUPERUSER_PASSWORD must be changed from its default in production');
    } else if (passwordLength < PASSWORD_MIN || passwordLength > PASSWORD_MAX) {
      // The API refuses such a password for every other account; the most powerful one must not be weaker.
      read.problems.push(
        `FIRST_SUPERUSER_PASSWORD must be ${PASSWORD_MIN} to ${PASSWORD_MAX} characters in production, as the API requires of passwords`,
      );
    }
    const weakToken = metricsToken === null ? null : weakSecret('METRICS_TOKEN', metricsToken);
    if (weakToken) read.problems.push(weakToken);
  }

  const frontendHost = stripTrailingSlash(read.url('FRONTEND_HOST', 'http://localhost:5173', ['http:', 'https:']));
  const corsOrigins = [...new Set([frontendHost, ...read.list('BACKEND_CORS_ORIGINS').map(stripTrailingSlash)])];

  const config: AppConfig = {
    nodeEnv,
    projectName: read.string('PROJECT_NAME', 'Full Stack NestJS Project'),
    host: read.string('HOST', '127.0.0.1'),
    port: read.int('PORT', 8000, 0, 65535),
    logLevel: read.oneOf('LOG_LEVEL', LOG_LEVELS, production ? 'info' : 'debug'),
    localDataDir,
    // Outside production the example value counts as unset: a copied .env.example must not
    // sign tokens with a published secret.
    secretKey:
      production || (providedSecret && !EXAMPLE_SECRET_VALUES.has(providedSecret))
        ? (providedSecret ?? '')
        : localSecretKey(localDataDir),
    jwtAlgorithm: read.oneOf('JWT_ALGORITHM', ['HS256', 'HS384', 'HS512'] as const, 'HS256'),
    accessTokenExpireMinutes: read.int('ACCESS_TOKEN_EXPIRE_MINUTES', 30, 1, 60 * 24 * 8),
    refreshTokenExpireDays: read.int('REFRESH_TOKEN_EXPIRE_DAYS', 14, 1, 365),
    emailResetTokenExpireHours: read.int('EMAIL_RESET_TOKEN_EXPIRE_HOURS', 48, 1, 24 * 30),
    frontendHost,
    corsOrigins,
    databaseUrl: read.url('DATABASE_URL', undefined, ['postgres:', 'postgresql:']),
    dbPoolSize: read.int('DB_POOL_SIZE', 10, 1, 200),
    dbConnectTimeoutMs: read.int('DB_CONNECT_TIMEOUT_MS', 2000, 100, 60000),
    dbStatementTimeoutMs: read.int('DB_STATEMENT_TIMEOUT_MS', 5000, 100, 600000),
    dbMigrateOnStart: read.bool('DB_MIGRATE_ON_START', true),
    redisUrl: read.url('REDIS_URL', undefined, ['redis:', 'rediss:']),
    redisKeyPrefix: read.string('REDIS_KEY_PREFIX', 'app'),
    healthCheckTimeoutMs: read.int('HEALTH_CHECK_TIMEOUT_MS', 1000, 50, 10000),
    authCacheTtlSeconds: read.int('AUTH_CACHE_TTL_SECONDS', 60, 0, 3600),
    cacheEnabled: read.bool('CACHE_ENABLED', true),
    cacheTtlSeconds: read.int('CACHE_TTL_SECONDS', 60, 1, 86400),
    cacheTimeoutMs: read.int('CACHE_TIMEOUT_MS', 150, 10, 5000),
    firstSuperuser: read.string('FIRST_SUPERUSER', 'admin@example.com'),
    firstSuperuserPassword,
    usersOpenRegistration: read.bool('USERS_OPEN_REGISTRATION', true),
    loginMaxFailuresPerEmail: read.int('LOGIN_MAX_FAILURES_PER_EMAIL', 10, 1, 100000),
    loginMaxFailuresPerIp: read.int('LOGIN_MAX_FAILURES_PER_IP', 100, 1, 1000000),
    loginFailureWindowSeconds: read.int('LOGIN_FAILURE_WINDOW_SECONDS', 900, 1, 86400),
    recoveryMaxPerEmail: read.int('RECOVERY_MAX_PER_EMAIL', 5, 1, 100000),
    recoveryMaxPerIp: read.int('RECOVERY_MAX_PER_IP', 50, 1, 1000000),
    recoveryWindowSeconds: read.int('RECOVERY_WINDOW_SECONDS', 3600, 1, 86400),
    apiKeyMaxFailuresPerIp: read.int('API_KEY_MAX_FAILURES_PER_IP', 100, 1, 1000000),
    apiKeyFailureWindowSeconds: read.int('API_KEY_FAILURE_WINDOW_SECONDS', 900, 1, 86400),
    bodyLimitBytes: read.int('BODY_LIMIT_BYTES', 102400, 1024, 50 * 1024 * 1024),
    docsEnabled: read.bool('DOCS_ENABLED', true),
    metricsToken,
    shutdownTimeoutMs: read.int('SHUTDOWN_TIMEOUT_MS', 10000, 0, 600000),
    shutdownDrainMs: read.int('SHUTDOWN_DRAIN_MS', 2000, 0, 600000),
    keepAliveTimeoutMs: read.int('KEEP_ALIVE_TIMEOUT_MS', 65000, 1000, 600000),
    trustProxy: read.trustProxy('TRUST_PROXY'),
    workerConcurrency: read.int('WORKER_CONCURRENCY', 5, 1, 1000),
    jobAttempts: read.int('JOB_ATTEMPTS', 5, 1, 100),
    jobBackoffMs: read.int('JOB_BACKOFF_MS', 1000, 10, 3_600_000),
    workerLockDurationMs: read.int('WORKER_LOCK_DURATION_MS', 30000, 1000, 600000),
    queueTimeoutMs: read.int('QUEUE_TIMEOUT_MS', 1000, 50, 10000),
    smtp: {
      host: read.optional('SMTP_HOST'),
      port: read.int('SMTP_PORT', 587, 1, 65535),
      tls: read.bool('SMTP_TLS', true),
      ssl: read.bool('SMTP_SSL', false),
      user: read.optional('SMTP_USER'),
      password: read.optional('SMTP_PASSWORD'),
      fromEmail: read.optional('EMAILS_FROM_EMAIL'),
      fromName: read.string('EMAILS_FROM_NAME', read.string('PROJECT_NAME', 'Full Stack NestJS Project')),
    },
  };

  if (read.problems.length > 0) {
    throw new ConfigError(`Invalid configuration: ${read.problems.join('; ')}`);
  }
  return Object.freeze(config);
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
