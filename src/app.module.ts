import { Module } from '@nestjs/common';
import { CommonModule } from './common/common.module.js';
import { ConfigModule } from './config/config.module.js';
import { DatabaseModule } from './database/database.module.js';
import { LoggingModule } from './logging/logging.module.js';
import { ApiKeysModule } from './modules/api-keys/api-keys.module.js';
import { AuthModule } from './modules/auth/auth.module.js';
import { CacheModule } from './modules/cache/cache.module.js';
import { HealthModule } from './modules/health/health.module.js';
import { ItemsModule } from './modules/items/items.module.js';
import { JobsModule } from './modules/jobs/jobs.module.js';
import { MetricsModule } from './modules/metrics/metrics.module.js';
import { QueueDashboardModule } from './modules/queue-dashboard/queue-dashboard.module.js';
import { UsersModule } from './modules/users/users.module.js';
import { UtilsModule } from './modules/utils/utils.module.js';
import { ChangeFeedModule } from './redis/change-feed.js';
import { RedisModule } from './redis/redis.module.js';

@Module({
  imports: [
    ConfigModule,
    LoggingModule,
    CommonModule,
    DatabaseModule,
    RedisModule,
    ChangeFeedModule,
    CacheModule,
    JobsModule.forApi(),
    HealthModule,
    UsersModule,
    AuthModule,
    ApiKeysModule,
    ItemsModule,
    UtilsModule,
    QueueDashboardModule,
    MetricsModule,
  ],
})
export class AppModule {}
