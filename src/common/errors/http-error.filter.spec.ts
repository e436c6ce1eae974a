import {
  BadRequestException,
  ForbiddenException,
  HttpException,
  NotFoundException,
  UnauthorizedException,
} from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { RequestValidationException } from '../validation/validation-error.js';
import { DomainError } from './domain-error.js';
import { toErrorResponse } from './http-error.filter.js';

describe(toErrorResponse.name, () => {
  it("answers a domain error with its code's status and text, and Retry-After when it has one", () => {
    const sut = toErrorResponse(new DomainError('TOO_MANY_LOGIN_FAILURES', { retryAfterSeconds: 60 }));
    expect(sut).toEqual({
      status: 429,
      body: { detail: 'Too many failed login attempts, please try again later' },
      headers: { 'Retry-After': '60' },
    });
    expect(toErrorResponse(new DomainError('EMAIL_TAKEN_ON_UPDATE'))).toEqual({
      status: 409,
      body: { detail: 'User with this email already exists' },
    });
    expect(toErrorResponse(new DomainError('RESOURCE_NOT_FOUND', { resource: 'Invoice' })).body).toEqual({
      detail: 'Invoice not found',
    });
  });

  it('uses the message given to a Nest HTTP exception as the detail', () => {
    expect(toErrorResponse(new NotFoundException('Item not found'))).toEqual({
      status: 404,
      body: { detail: 'Item not found' },
    });
    expect(toErrorResponse(new ForbiddenException('Inactive user')).body).toEqual({ detail: 'Inactive user' });
  });

  it('adds WWW-Authenticate: Bearer to every 401', () => {
    expect(toErrorResponse(new UnauthorizedException()).headers).toEqual({ 'WWW-Authenticate': 'Bearer' });
    expect(toErrorResponse(new DomainError('INVALID_CREDENTIALS')).headers).toEqual({ 'WWW-Authenticate': 'Bearer' });
    expect(toErrorResponse(new ForbiddenException('Inactive user')).headers).toBeUndefined();
  });

  it("replaces Nest's default wording with the contract's", () => {
    expect(toErrorResponse(new NotFoundException()).body).toEqual({ detail: 'Not Found' });
    expect(toErrorResponse(new UnauthorizedException()).body).toEqual({ detail: 'Not authenticated' });
  });

  it('passes a validation list through unchanged', () => {
    const issue = { type: 'missing', loc: ['body', 'title'], msg: 'Field required' };
    expect(toErrorResponse(new RequestValidationException([issue]))).toEqual({
      status: 422,
      body: { detail: [issue] },
    });
  });

  it('keeps an HttpException given a plain string', () => {
    expect(toErrorResponse(new HttpException('Queue unavailable', 503))).toEqual({
      status: 503,
      body: { detail: 'Queue unavailable' },
    });
  });

  it('maps Fastify body errors to 413, 415 and a json_invalid 422', () => {
    expect(toErrorResponse({ code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 })).toEqual({
      status: 413,
      body: { detail: 'Request body too large' },
    });
    expect(toErrorResponse({ code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE', statusCode: 415 }).body).toEqual({
      detail: 'Unsupported Media Type',
    });
    const invalid = toErrorResponse({
      code: 'FST_ERR_CTP_INVALID_JSON_BODY',
      statusCode: 400,
      message: "Body is not valid JSON but content-type is set to 'application/json'",
    });
    expect(invalid.status).toBe(422);
    expect(invalid.body.detail).toEqual([
      expect.objectContaining({ type: 'json_invalid', loc: ['body', 0], msg: 'JSON decode error' }),
    ]);
  });

  it('looks through the HttpException the Fastify adapter wraps around body errors', () => {
    const tooLarge = Object.assign(new Error('Request body is too large'), {
      code: 'FST_ERR_CTP_BODY_TOO_LARGE',
      statusCode: 413,
    });
    expect(toErrorResponse(new HttpException(tooLarge.message, 413, { cause: tooLarge }))).toEqual({
      status: 413,
      body: { detail: 'Request body too large' },
    });
  });

  it('answers 503 when the database is unreachable', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    expect(toErrorResponse(refused)).toEqual({ status: 503, body: { detail: 'Service Unavailable' } });
    const timeout = new QueryFailedError(
      'SELECT 1',
      [],
      Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' }),
    );
    expect(toErrorResponse(timeout).status).toBe(503);
    const unanswered = new QueryFailedError('SELECT 1', [], new Error('Query read timeout'));
    expect(toErrorResponse(unanswered).status).toBe(503);
  });

  it('hides every other error behind a bare 500', () => {
    const constraint = new QueryFailedError(
      'INSERT INTO "user" ...',
      [],
      Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505' }),
    );
    for (const error of [
      new Error('/srv/app/src/secret.ts: boom'),
      new TypeError('x is undefined'),
      constraint,
      'a string',
      null,
    ]) {
      expect(toErrorResponse(error)).toEqual({ status: 500, body: { detail: 'Internal Server Error' } });
    }
  });

  it('does not mistake a 5xx-carrying error for a client error', () => {
    expect(toErrorResponse({ statusCode: 502, message: 'upstream' }).status).toBe(500);
    expect(toErrorResponse(new BadRequestException()).body).toEqual({ detail: 'Bad Request' });
  });
});
