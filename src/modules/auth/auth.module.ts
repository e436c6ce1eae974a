import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { RateLimitModule } from '../../common/rate-limit/rate-limit.module.js';
import { PasswordHashingModule } from '../../common/security/password-hashing.module.js';
import { ChangeFeedModule } from '../../redis/change-feed.js';
import { ApiKeysModule } from '../api-keys/api-keys.module.js';
import { JobsModule } from '../jobs/jobs.module.js';
import { UsersModule } from '../users/users.module.js';
import { AccessTokens } from './access-tokens.js';
import { ApiKeyStrategy } from './api-key.strategy.js';
import { AccountController } from './account.controller.js';
import { AuthController } from './auth.controller.js';
import { AuthService } from './auth.service.js';
import { AuthStateCache } from './auth-state-cache.js';
import { AuthenticationGuard } from './authentication.guard.js';
import { AuthSession } from './entities/auth-session.entity.js';
import { JwtStrategy } from './jwt.strategy.js';
import { PasswordRecoveryController } from './password-recovery.controller.js';
import { EmailVerificationController } from './email-verification.controller.js';
import { EmailVerificationService } from './email-verification.service.js';
import { PasswordResetMailModule } from './password-reset-mail.js';
import { SigningJwtModule } from './signing-jwt.module.js';
import { PasswordRecoveryService } from './password-recovery.service.js';
import { SessionsService } from './sessions.service.js';
import { SessionWrites } from './session-writes.js';

@Module({
  imports: [
    TypeOrmModule.forFeature([AuthSession]),
    UsersModule,
    ApiKeysModule,
    JobsModule,
    RateLimitModule,
    PasswordHashingModule,
    ChangeFeedModule,
    SigningJwtModule,
    PasswordResetMailModule,
  ],
  controllers: [AuthController, AccountController, PasswordRecoveryController, EmailVerificationController],
  providers: [
    AuthService,
    PasswordRecoveryService,
    EmailVerificationService,
    SessionsService,
    SessionWrites,
    AccessTokens,
    AuthStateCache,
    ApiKeyStrategy,
    JwtStrategy,
    AuthenticationGuard,
  ],
  exports: [AuthService, SessionsService, AuthenticationGuard],
})
export class AuthModule {}
