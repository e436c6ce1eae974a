import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { RateLimitModule } from '../../common/rate-limit/rate-limit.module.js';
import { RedisModule } from '../../redis/redis.module.js';
import { AuthModule } from '../auth/auth.module.js';
import { UsersModule } from '../users/users.module.js';
import { UserIdentity } from './entities/user-identity.entity.js';
import { IdentitiesController } from './identities.controller.js';
import { IdentitiesService } from './identities.service.js';
import { OidcProviders } from './oidc-providers.js';
import { SsoController } from './sso.controller.js';
import { SsoService } from './sso.service.js';

/** Single sign-on with OpenID Connect providers, and the identities it links to accounts. */
@Module({
  imports: [TypeOrmModule.forFeature([UserIdentity]), AuthModule, UsersModule, RateLimitModule, RedisModule],
  controllers: [SsoController, IdentitiesController],
  providers: [SsoService, IdentitiesService, OidcProviders],
})
export class SsoModule {}
