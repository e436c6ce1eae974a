import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../../config/app-config.js';
import { UsersModule } from '../users/users.module.js';
import { AccessTokens } from './access-tokens.js';
import { AccountController } from './account.controller.js';
import { AuthController } from './auth.controller.js';
import { AuthService } from './auth.service.js';
import { AuthStateCache } from './auth-state-cache.js';
import { AuthSession } from './entities/auth-session.entity.js';
import { BearerAuthenticator } from './bearer-authenticator.js';
import { JwtAuthGuard } from './jwt-auth.guard.js';
import { JwtStrategy } from './jwt.strategy.js';
import { PasswordRecoveryController } from './password-recovery.controller.js';
import { PasswordRecoveryService } from './password-recovery.service.js';
import { SessionsService } from './sessions.service.js';

@Module({
  imports: [
    UsersModule,
    PassportModule,
    TypeOrmModule.forFeature([AuthSession]),
    JwtModule.registerAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        secret: config.secretKey,
        signOptions: { algorithm: config.jwtAlgorithm },
        verifyOptions: { algorithms: [config.jwtAlgorithm] },
      }),
    }),
  ],
  controllers: [AuthController, AccountController, PasswordRecoveryController],
  providers: [
    AuthService,
    PasswordRecoveryService,
    SessionsService,
    AccessTokens,
    JwtStrategy,
    AuthStateCache,
    BearerAuthenticator,
    { provide: APP_GUARD, useClass: JwtAuthGuard },
  ],
  exports: [SessionsService, BearerAuthenticator],
})
export class AuthModule {}
