import { withTimeout } from './with-timeout.js';

describe('withTimeout', () => {
  it('resolves with the result of an operation that settles in time', async () => {
    await expect(withTimeout(Promise.resolve('value'), 50, 'read')).resolves.toBe('value');
  });

  it("rejects with the operation's own error", async () => {
    await expect(withTimeout(Promise.reject(new Error('refused')), 50, 'read')).rejects.toThrow('refused');
  });

  it('rejects, naming the operation, once the time is up', async () => {
    const never = new Promise<never>(() => undefined);
    await expect(withTimeout(never, 20, 'cache get')).rejects.toThrow('cache get took over 20 ms');
  });

  it('leaves no timer behind once the operation settled', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
    const before = timers();
    await withTimeout(Promise.resolve(1), 60_000, 'read');
    expect(timers()).toBe(before);
  });
});
