import { Logger, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import { buildDataSourceOptions } from './data-source-options.js';
import { runMigrationsLocked } from './migrate.js';

const logger = new Logger('Database');

@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        ...buildDataSourceOptions(config),
        // Entities come from the feature modules' TypeOrmModule.forFeature() calls.
        entities: [],
        // Migration files are only loaded by a process that applies them.
        migrations: config.dbMigrateOnStart ? buildDataSourceOptions(config).migrations : [],
        autoLoadEntities: true,
        // Read by the factory below, which migrates under a lock instead of TypeORM's own run.
        migrationsRun: config.dbMigrateOnStart,
        retryAttempts: 5,
        retryDelay: 1000,
      }),
      dataSourceFactory: async (options) => {
        if (!options) throw new Error('Database options missing');
        const dataSource = await new DataSource({ ...options, migrationsRun: false }).initialize();
        if (options.migrationsRun) {
          const applied = await runMigrationsLocked(dataSource);
          if (applied.length > 0) logger.log(`Applied migrations: ${applied.map((m) => m.name).join(', ')}`);
        }
        return dataSource;
      },
    }),
  ],
})
export class DatabaseModule {}
