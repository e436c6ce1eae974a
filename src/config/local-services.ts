/**
 * Where `npm start` runs its own PostgreSQL and Redis when DATABASE_URL / REDIS_URL are unset.
 * Commands run beside it (migrations, backups, the REPL) find them here too.
 */
export const LOCAL_DB_USER = 'postgres';
export const LOCAL_DB_PASSWORD = 'postgres';
export const LOCAL_DB_NAME = 'app';

export function localServicePorts(env: NodeJS.ProcessEnv = process.env): { postgres: number; redis: number } {
  return { postgres: Number(env.LOCAL_POSTGRES_PORT ?? 54320), redis: Number(env.LOCAL_REDIS_PORT ?? 63790) };
}

/** Outside production, an unset DATABASE_URL / REDIS_URL means the servers of `npm start`. */
export function defaultToLocalServices(env: NodeJS.ProcessEnv = process.env): void {
  if (env.NODE_ENV === 'production') return;
  const ports = localServicePorts(env);
  env.DATABASE_URL ||= `postgresql://${LOCAL_DB_USER}:${LOCAL_DB_PASSWORD}@127.0.0.1:${ports.postgres}/${LOCAL_DB_NAME}`;
  env.REDIS_URL ||= `redis://127.0.0.1:${ports.redis}`;
}
