import { Global, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { HttpErrorFilter } from './errors/http-error.filter.js';
import { MediaTypeGuard } from './http/media-type.guard.js';
import { RouteTable } from './http/route-table.js';
import { ShutdownState } from './http/shutdown-state.js';
import { RequestValidationPipe } from './validation/request-validation.pipe.js';

/** The cross-cutting HTTP behaviour every route shares: errors, validation, media types. */
@Global()
@Module({
  providers: [
    RouteTable,
    ShutdownState,
    { provide: APP_FILTER, useClass: HttpErrorFilter },
    { provide: APP_PIPE, useClass: RequestValidationPipe },
    { provide: APP_GUARD, useClass: MediaTypeGuard },
  ],
  exports: [RouteTable, ShutdownState],
})
export class CommonModule {}
