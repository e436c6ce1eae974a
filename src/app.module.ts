import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { CommonModule } from './common/common.module.js';
import { HttpErrorFilter } from './common/errors/http-error.filter.js';
import { MediaTypeGuard } from './common/http/media-type.guard.js';
import { RequestValidationPipe } from './common/validation/request-validation.pipe.js';
import { ConfigModule } from './config/config.module.js';
import { DatabaseModule } from './database/database.module.js';
import { LoggingModule } from './logging/logging.module.js';
import { RequestContextGuard } from './logging/request-context.guard.js';
import { ApiKeysModule } from './modules/api-keys/api-keys.module.js';
import { AuthenticationGuard } from './modules/auth/authentication.guard.js';
import { AuthModule } from './modules/auth/auth.module.js';
import { HealthModule } from './modules/health/health.module.js';
import { ItemsModule } from './modules/items/items.module.js';
import { JobsModule } from './modules/jobs/jobs.module.js';
import { MetricsModule } from './modules/metrics/metrics.module.js';
import { OrganizationsModule } from './modules/organizations/organizations.module.js';
import { SsoModule } from './modules/sso/sso.module.js';
import { QueueDashboardModule } from './modules/queue-dashboard/queue-dashboard.module.js';
import { UsersModule } from './modules/users/users.module.js';
import { UtilsModule } from './modules/utils/utils.module.js';

/**
 * The API. Configuration is the project's only global module (libraries keep theirs: the logger,
 * the database connection); every other module imports what it uses. The app-wide guards, pipe and filter are all here, in the order they run.
 */
@Module({
  imports: [
    ConfigModule,
    LoggingModule,
    DatabaseModule,
    CommonModule,
    JobsModule,
    HealthModule,
    UsersModule,
    AuthModule,
    ApiKeysModule,
    ItemsModule,
    OrganizationsModule,
    SsoModule,
    UtilsModule,
    QueueDashboardModule,
    MetricsModule,
  ],
  providers: [
    // Guards, in this order: the request context first (so that everything after logs with the
    // request id), a form body only where the route takes one (415), then the caller (401); all
    // run before the pipe validates the body.
    { provide: APP_GUARD, useClass: RequestContextGuard },
    { provide: APP_GUARD, useClass: MediaTypeGuard },
    { provide: APP_GUARD, useExisting: AuthenticationGuard },
    { provide: APP_PIPE, useClass: RequestValidationPipe },
    { provide: APP_FILTER, useClass: HttpErrorFilter },
  ],
})
export class AppModule {}
