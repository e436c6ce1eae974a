import { jest } from '@jest/globals';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RequestLogController, requestLogLevel } from './logging.module.js';

describe(RequestLogController.name, () => {
  const sut = new RequestLogController();
  const logged = (status: number, error?: Error) => {
    const log = { isLevelEnabled: () => true, info: jest.fn(), warn: jest.fn(), error: jest.fn() };
    const request = { url: '/api/v1/items/', id: 'request-1', raw: {}, log } as unknown as FastifyRequest;
    sut.requestCompleted(error, request, { statusCode: status, raw: {}, elapsedTime: 1 } as unknown as FastifyReply);
    return Object.entries({ info: log.info, warn: log.warn, error: log.error }).flatMap(([level, fn]) =>
      fn.mock.calls.length ? [level] : [],
    );
  };

  it.each([
    [200, 'info'],
    [404, 'info'],
    [409, 'info'],
    [422, 'info'],
    [401, 'warn'],
    [403, 'warn'],
    [429, 'warn'],
    [500, 'error'],
    [503, 'error'],
  ])('logs a %i at %s', (status, level) => {
    expect(requestLogLevel(status)).toBe(level);
    expect(logged(status)).toEqual([level]);
  });

  it('logs a request that threw at error, whatever its status', () => {
    expect(logged(400, new Error('boom'))).toEqual(['error']);
  });

  it('does not log the probes', () => {
    const log = { isLevelEnabled: () => true, info: jest.fn(), warn: jest.fn(), error: jest.fn() };
    const request = { url: '/health/live', id: 'probe', raw: {}, log } as unknown as FastifyRequest;
    sut.requestCompleted(undefined, request, { statusCode: 200, raw: {}, elapsedTime: 1 } as unknown as FastifyReply);
    expect(log.info).not.toHaveBeenCalled();
  });
});
