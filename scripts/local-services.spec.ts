import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { embeddedPostgresMajorVersion, startPostgres } from './local-services.js';

describe('startPostgres', () => {
  it('refuses a data folder of another PostgreSQL major version, saying what to do', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pg-version-'));
    try {
      writeFileSync(join(dataDir, 'PG_VERSION'), '18\n');
      await expect(startPostgres({ dataDir, port: 1, persistent: true })).rejects.toThrow(
        `${dataDir} holds PostgreSQL 18 data and this project runs PostgreSQL ${embeddedPostgresMajorVersion()}: move the folder away`,
      );
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
