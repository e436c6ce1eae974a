import { Module } from '@nestjs/common';
import { PasswordHasher } from './password-hasher.js';

/** Argon2id hashing on threads of its own, for the modules that store or check passwords. */
@Module({ providers: [PasswordHasher], exports: [PasswordHasher] })
export class PasswordHashingModule {}
