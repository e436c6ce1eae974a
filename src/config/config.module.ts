import { Global, Module } from '@nestjs/common';
import { ConfigModule as NestConfigModule, ConfigService } from '@nestjs/config';
import { AppConfig, loadConfig } from './app-config.js';

/**
 * One validated configuration for the whole app. `.env` is loaded by the entry points before the
 * app is built (so a bad value stops the process with a one-line reason); here the merged
 * environment is validated once and exposed as the injectable `AppConfig`.
 */
@Global()
@Module({
  imports: [
    NestConfigModule.forRoot({
      ignoreEnvFile: true,
      cache: true,
      validate: (env) => ({ app: loadConfig(env as Record<string, string | undefined>) }),
    }),
  ],
  providers: [
    {
      provide: AppConfig,
      useFactory: (config: ConfigService) => config.getOrThrow<AppConfig>('app'),
      inject: [ConfigService],
    },
  ],
  exports: [AppConfig],
})
export class ConfigModule {}
