import { ioredisOptions, reconnectDelayMs } from './redis-connection.js';

describe(ioredisOptions.name, () => {
  it('reads host, port, credentials, database and TLS from REDIS_URL', () => {
    expect(ioredisOptions('rediss://app%40user:p%3Ass@cache.internal:6380/3')).toMatchObject({
      host: 'cache.internal',
      port: 6380,
      username: 'app@user',
      password: 'p:ss',
      db: 3,
      tls: {},
    });
    expect(ioredisOptions('redis://127.0.0.1')).toMatchObject({
      host: '127.0.0.1',
      port: 6379,
      db: 0,
      tls: undefined,
      username: undefined,
    });
  });

  it('gives every connection the same timeouts and reconnect delays', () => {
    const options = ioredisOptions('redis://127.0.0.1:6379');
    expect(options.connectTimeout).toBe(1000);
    expect(options.retryStrategy).toBe(reconnectDelayMs);
    expect([1, 5, 20, 1000].map(reconnectDelayMs)).toEqual([100, 500, 2000, 2000]);
  });
});
