import { createSecretKey } from 'node:crypto';
import { JwtModule } from '@nestjs/jwt';
import { AppConfig } from '../../config/app-config.js';

/**
 * JWTs signed with SECRET_KEY and the configured algorithm, which alone is accepted back: the one
 * JwtService that signs and checks access and reset tokens.
 */
export const SigningJwtModule = JwtModule.registerAsync({
  inject: [AppConfig],
  useFactory: (config: AppConfig) => ({
    // A key object made once: given the string, jsonwebtoken would first try to parse it as a
    // public key on every check, which cost most of a warm request's time. (The option's type
    // predates key objects; jsonwebtoken takes them as they are.)
    secret: createSecretKey(Buffer.from(config.secretKey)) as unknown as Buffer,
    signOptions: { algorithm: config.jwtAlgorithm },
    verifyOptions: { algorithms: [config.jwtAlgorithm] },
  }),
});
