import { DataSource } from 'typeorm';
import { loadConfig, loadEnvFile } from './src/config/app-config.js';
import { defaultToLocalServices } from './src/config/local-services.js';
import { buildDataSourceOptions } from './src/database/data-source-options.js';

// The data source the TypeORM CLI uses (npm run migration:*), built from the app's own config.
loadEnvFile();
defaultToLocalServices();
export default new DataSource(buildDataSourceOptions(loadConfig()));
