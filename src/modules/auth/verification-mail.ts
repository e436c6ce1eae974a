import { Injectable, Module } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectRepository, TypeOrmModule } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { AppConfig } from '../../config/app-config.js';
import type { EmailTemplate } from '../mail/templates.js';
import { User } from '../users/entities/user.entity.js';
import { SigningJwtModule } from './signing-jwt.module.js';

export const VERIFY_TOKEN_TYPE = 'email-verification';

export interface VerifyClaims {
  sub: string;
  typ: typeof VERIFY_TOKEN_TYPE;
  /** The normalised address the link was sent to: a later change of address voids it. */
  email: string;
  exp: number;
}

/**
 * Writes the verification email of a user's current address, in the worker: the link is made
 * when the email goes out, so no token waits in Redis, and a user verified or gone by then gets none.
 */
@Injectable()
export class VerificationMail {
  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    private readonly jwt: JwtService,
    private readonly config: AppConfig,
  ) {}

  /** The email for this user, or null when they are gone or already verified. */
  async compose(userId: string): Promise<{ to: string; content: EmailTemplate } | null> {
    const user = await this.users.findOneBy({ id: userId });
    if (!user || user.isVerified) return null;
    const claims: Omit<VerifyClaims, 'exp'> = { sub: user.id, typ: VERIFY_TOKEN_TYPE, email: user.emailNormalized };
    const validHours = this.config.emailVerifyTokenExpireHours;
    const token = await this.jwt.signAsync(claims, { expiresIn: validHours * 3600 });
    return {
      to: user.email,
      content: {
        template: 'email-verification',
        projectName: this.config.projectName,
        email: user.email,
        verifyLink: `${this.config.frontendHost}/verify-email?token=${encodeURIComponent(token)}`,
        validHours,
      },
    };
  }
}

/** VerificationMail with what it reads: the users table and the signing key. */
@Module({
  imports: [TypeOrmModule.forFeature([User]), SigningJwtModule],
  providers: [VerificationMail],
  exports: [VerificationMail],
})
export class VerificationMailModule {}
