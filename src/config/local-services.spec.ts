import { defaultToLocalServices } from './local-services.js';

describe('defaultToLocalServices', () => {
  it('points unset URLs at the servers of npm start, on their configured ports', () => {
    const env: NodeJS.ProcessEnv = { LOCAL_POSTGRES_PORT: '6000', DATABASE_URL: '' };
    defaultToLocalServices(env);
    expect(env.DATABASE_URL).toBe('postgresql://postgres:postgres@127.0.0.1:6000/app');
    expect(env.REDIS_URL).toBe('redis://127.0.0.1:63790');
  });

  it('keeps URLs that are set', () => {
    const env: NodeJS.ProcessEnv = { DATABASE_URL: 'postgresql://db/x', REDIS_URL: 'redis://cache' };
    defaultToLocalServices(env);
    expect(env).toEqual({ DATABASE_URL: 'postgresql://db/x', REDIS_URL: 'redis://cache' });
  });

  it('sets nothing in production, where a missing URL must stop the process', () => {
    const env: NodeJS.ProcessEnv = { NODE_ENV: 'production' };
    defaultToLocalServices(env);
    expect(env).toEqual({ NODE_ENV: 'production' });
  });
});
