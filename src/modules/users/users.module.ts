import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PasswordHashingModule } from '../../common/security/password-hashing.module.js';
import { ChangeFeedModule } from '../../redis/change-feed.js';
import { CacheModule } from '../cache/cache.module.js';
import { JobsModule } from '../jobs/jobs.module.js';
import { User } from './entities/user.entity.js';
import { FirstSuperuser } from './first-superuser.js';
import { UsersController } from './users.controller.js';
import { UsersService } from './users.service.js';
import { UserWrites } from './user-writes.js';

@Module({
  imports: [TypeOrmModule.forFeature([User]), PasswordHashingModule, ChangeFeedModule, CacheModule, JobsModule],
  controllers: [UsersController],
  providers: [UsersService, UserWrites, FirstSuperuser],
  exports: [UsersService],
})
export class UsersModule {}
