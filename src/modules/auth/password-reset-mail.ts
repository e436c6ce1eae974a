import { Injectable, Module } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectRepository, TypeOrmModule } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { AppConfig } from '../../config/app-config.js';
import type { EmailTemplate } from '../mail/templates.js';
import { User, whereEmail } from '../users/entities/user.entity.js';
import { SigningJwtModule } from './signing-jwt.module.js';

export const RESET_TOKEN_TYPE = 'password-reset';

export interface ResetClaims {
  sub: string;
  typ: typeof RESET_TOKEN_TYPE;
  /** The user's credentials version when the token was made: any change voids the token. */
  ver: number;
  exp: number;
}

/**
 * Writes the password reset email of an address: the worker, when it takes a recovery job (so
 * the API answers a registered and an unknown address after the same work), and the API's
 * preview for superusers.
 */
@Injectable()
export class PasswordResetMail {
  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    private readonly jwt: JwtService,
    private readonly config: AppConfig,
  ) {}

  /** The email for the account with this address, or null when no account has it. */
  async compose(email: string): Promise<{ to: string; content: EmailTemplate } | null> {
    const where = whereEmail(email);
    const user = where ? await this.users.findOneBy(where) : null;
    return user ? { to: user.email, content: await this.contentFor(user) } : null;
  }

  private async contentFor(user: User): Promise<EmailTemplate> {
    const claims: Omit<ResetClaims, 'exp'> = { sub: user.id, typ: RESET_TOKEN_TYPE, ver: user.credentialsVersion };
    const token = await this.jwt.signAsync(claims, { expiresIn: this.config.emailResetTokenExpireHours * 3600 });
    return {
      template: 'password-reset',
      projectName: this.config.projectName,
      email: user.email,
      resetLink: `${this.config.frontendHost}/reset-password?token=${encodeURIComponent(token)}`,
      validHours: this.config.emailResetTokenExpireHours,
    };
  }
}

/** PasswordResetMail with what it reads: the users table and the signing key. */
@Module({
  imports: [TypeOrmModule.forFeature([User]), SigningJwtModule],
  providers: [PasswordResetMail],
  exports: [PasswordResetMail],
})
export class PasswordResetMailModule {}
