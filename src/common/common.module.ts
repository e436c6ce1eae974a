import { Global, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { HttpErrorFilter } from './errors/http-error.filter.js';
import { MediaTypeGuard } from './http/media-type.guard.js';
import { RouteTable } from './http/route-table.js';
import { ShutdownState } from './http/shutdown-state.js';
import { AttemptLimits } from './rate-limit/attempt-limits.js';
import { PasswordHasher } from './security/password-hasher.js';
import { RequestValidationPipe } from './validation/request-validation.pipe.js';

/** Cross-cutting behaviour: errors, validation, media types, password hashing, attempt limits. */
@Global()
@Module({
  providers: [
    RouteTable,
    ShutdownState,
    PasswordHasher,
    AttemptLimits,
    { provide: APP_FILTER, useClass: HttpErrorFilter },
    { provide: APP_PIPE, useClass: RequestValidationPipe },
    { provide: APP_GUARD, useClass: MediaTypeGuard },
  ],
  exports: [RouteTable, ShutdownState, PasswordHasher, AttemptLimits],
})
export class CommonModule {}
