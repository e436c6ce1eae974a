import { JwtModule } from '@nestjs/jwt';
import { AppConfig } from '../../config/app-config.js';

/** JWTs signed with SECRET_KEY and the configured algorithm, which alone is accepted back. */
export const SigningJwtModule = JwtModule.registerAsync({
  inject: [AppConfig],
  useFactory: (config: AppConfig) => ({
    secret: config.secretKey,
    signOptions: { algorithm: config.jwtAlgorithm },
    verifyOptions: { algorithms: [config.jwtAlgorithm] },
  }),
});
