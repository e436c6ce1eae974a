import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiKeysModule } from '../api-keys/api-keys.module.js';
import { UsersModule } from '../users/users.module.js';
import { AccessTokens } from './access-tokens.js';
import { AccountController } from './account.controller.js';
import { AuthController } from './auth.controller.js';
import { AuthService } from './auth.service.js';
import { AuthStateCache } from './auth-state-cache.js';
import { AuthenticationGuard } from './authentication.guard.js';
import { AuthSession } from './entities/auth-session.entity.js';
import { BearerAuthenticator } from './bearer-authenticator.js';
import { JwtStrategy } from './jwt.strategy.js';
import { PasswordRecoveryController } from './password-recovery.controller.js';
import { PasswordResetMailModule } from './password-reset-mail.js';
import { SigningJwtModule } from './signing-jwt.module.js';
import { PasswordRecoveryService } from './password-recovery.service.js';
import { RequestAuthenticator } from './request-authenticator.js';
import { SessionsService } from './sessions.service.js';

@Module({
  imports: [UsersModule, ApiKeysModule, PassportModule, TypeOrmModule.forFeature([AuthSession]), SigningJwtModule, PasswordResetMailModule],
  controllers: [AuthController, AccountController, PasswordRecoveryController],
  providers: [
    AuthService,
    PasswordRecoveryService,
    SessionsService,
    AccessTokens,
    JwtStrategy,
    AuthStateCache,
    BearerAuthenticator,
    RequestAuthenticator,
    { provide: APP_GUARD, useClass: AuthenticationGuard },
  ],
  exports: [SessionsService, RequestAuthenticator],
})
export class AuthModule {}
