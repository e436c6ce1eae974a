import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { dropDatabase, ensureDatabase } from '../scripts/local-services.js';
import { ApiProcess } from './utils/api-process.js';

const projectRoot = join(import.meta.dirname, '..');
const MODULE = 'gadgets';
const FIELDS = ['label:string:80', 'price:decimal:10:2', 'released:date?'];
const GENERATED_FILES = [
  `src/modules/${MODULE}/${MODULE}.module.ts`,
  `src/modules/${MODULE}/${MODULE}.controller.ts`,
  `src/modules/${MODULE}/${MODULE}.service.ts`,
  `src/modules/${MODULE}/${MODULE}.service.spec.ts`,
  `src/modules/${MODULE}/entities/gadget.entity.ts`,
  `src/modules/${MODULE}/dto/create-gadget.dto.ts`,
  `src/modules/${MODULE}/dto/update-gadget.dto.ts`,
  `src/modules/${MODULE}/dto/gadget-response.dto.ts`,
  `test/${MODULE}.e2e-spec.ts`,
];
/** A second module of the other kind: rows every user sees, written by superusers. */
const SHARED_MODULE = 'labels';
const ORGANIZATION_MODULE = 'projects';

/** Runs a command in `cwd`, bounded by `timeoutMs`, and returns its exit code and output. */
function run(
  cwd: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 120_000,
): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      args,
      { cwd, env: { ...process.env, ...env }, timeout: timeoutMs, maxBuffer: 32 * 1024 * 1024 },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) || 1 : 0, output: `${stdout}${stderr}` }),
    );
  });
}

/** Writes down what each step printed when it fails, instead of a bare exit code. */
function expectSuccess(step: { code: number; output: string }): void {
  if (step.code !== 0) throw new Error(`exit ${step.code}:\n${step.output.slice(-6000)}`);
}

// Entities in the build that the migrations do not create, or create differently: none may remain.
const SCHEMA_DRIFT = `
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from './dist/src/database/data-source-options.js';
const dataSource = new DataSource(buildDataSourceOptions({
  databaseUrl: process.env.DATABASE_URL, dbPoolSize: 1, dbConnectTimeoutMs: 5000, dbStatementTimeoutMs: 30000, projectName: 'schema-drift',
}));
await dataSource.initialize();
const pending = await dataSource.driver.createSchemaBuilder().log();
await dataSource.destroy();
process.stdout.write(JSON.stringify(pending.upQueries.map((query) => query.query)));
`;

/**
 * The module generator end to end, in a throwaway copy of the repository: generate a module
 * with three fields (and a shared one), build, migrate a fresh database, run the modules' own
 * specs against this suite's PostgreSQL and Redis, lint them, and find their routes in the
 * OpenAPI document.
 */
describe('module generator', () => {
  const copy = mkdtempSync(join(tmpdir(), 'api-generator-'));
  const databaseName = `generator_${randomBytes(4).toString('hex')}`;
  const serverUrl = process.env.TEST_DATABASE_SERVER_URL!;
  let databaseUrl: string;
  let generated: { code: number; output: string };

  beforeAll(async () => {
    // Tracked and new files, as a fresh clone with work in progress would have them.
    const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
      cwd: projectRoot,
      encoding: 'utf8',
    })
      .split('\0')
      .filter((file) => file && existsSync(join(projectRoot, file)));
    for (const file of files) {
      mkdirSync(dirname(join(copy, file)), { recursive: true });
      cpSync(join(projectRoot, file), join(copy, file));
    }
    symlinkSync(join(projectRoot, 'node_modules'), join(copy, 'node_modules'));

    generated = await run(copy, ['schematics/generate.js', MODULE, ...FIELDS]);
    expectSuccess(generated);
    expectSuccess(await run(copy, ['schematics/generate.js', SHARED_MODULE, 'name:string:40', '--shared']));
    expectSuccess(
      await run(copy, [
        'schematics/generate.js',
        ORGANIZATION_MODULE,
        'title:string:80',
        'due:date?',
        '--scope',
        'organization',
      ]),
    );
    expectSuccess(await run(copy, ['node_modules/@nestjs/cli/bin/nest.js', 'build'], {}, 240_000));
    databaseUrl = await ensureDatabase(serverUrl, databaseName);
  }, 300_000);

  afterAll(async () => {
    await dropDatabase(serverUrl, databaseName);
    rmSync(copy, { recursive: true, force: true });
  });

  it('writes the module, its migration and specs, and registers the module in AppModule', () => {
    for (const file of GENERATED_FILES) expect(generated.output).toContain(`CREATE ${file}`);
    expect(generated.output).toMatch(/CREATE migrations\/\d{13}-CreateGadgets\.ts/);
    const appModule = readFileSync(join(copy, 'src/app.module.ts'), 'utf8');
    expect(appModule).toContain(`import { GadgetsModule } from './modules/gadgets/gadgets.module.js';`);
    expect(appModule).toMatch(/MetricsModule,\s+GadgetsModule,\s+LabelsModule,\s+ProjectsModule,\s+\]/);
  });

  it('migrates a fresh database to exactly what the entities describe', async () => {
    const migrated = await run(copy, ['node_modules/typeorm/cli.js', '-d', 'dist/ormconfig.js', 'migration:run'], {
      DATABASE_URL: databaseUrl,
    });
    expectSuccess(migrated);
    expect(migrated.output).toMatch(/Migration CreateGadgets\d{13} has been executed successfully/);
    expect(migrated.output).toMatch(/Migration CreateLabels\d{13} has been executed successfully/);
    expect(migrated.output).toMatch(/Migration CreateProjects\d{13} has been executed successfully/);
    const drift = await run(copy, ['--input-type=module', '-e', SCHEMA_DRIFT], { DATABASE_URL: databaseUrl });
    expectSuccess(drift);
    expect(JSON.parse(drift.output)).toEqual([]);
  }, 60_000);

  it("passes its own unit and e2e specs against this suite's PostgreSQL and Redis", async () => {
    const specs = [MODULE, SHARED_MODULE, ORGANIZATION_MODULE].flatMap((name) => [
      `src/modules/${name}`,
      `test/${name}.e2e-spec.ts`,
    ]);
    const tests = await run(copy, ['dist/scripts/run-tests.js', '--runInBand', ...specs], {
      TEST_DATABASE_URL: serverUrl,
      TEST_REDIS_URL: process.env.REDIS_URL,
    });
    expectSuccess(tests);
    expect(tests.output).toContain(`PASS unit src/modules/${MODULE}/${MODULE}.service.spec.ts`);
    expect(tests.output).toContain(`PASS e2e test/${MODULE}.e2e-spec.ts`);
    expect(tests.output).toContain(`PASS e2e test/${SHARED_MODULE}.e2e-spec.ts`);
    expect(tests.output).toContain(
      `PASS unit src/modules/${ORGANIZATION_MODULE}/${ORGANIZATION_MODULE}.service.spec.ts`,
    );
    expect(tests.output).toContain(`PASS e2e test/${ORGANIZATION_MODULE}.e2e-spec.ts`);
    expect(tests.output).toMatch(/Tests: +\d+ passed, \d+ total/);
  }, 180_000);

  it('passes the linter and the formatter as written', async () => {
    const written = [
      ...GENERATED_FILES,
      `src/modules/${SHARED_MODULE}`,
      `test/${SHARED_MODULE}.e2e-spec.ts`,
      `src/modules/${ORGANIZATION_MODULE}`,
      `test/${ORGANIZATION_MODULE}.e2e-spec.ts`,
      'src/app.module.ts',
      'migrations',
    ];
    expectSuccess(await run(copy, ['node_modules/eslint/bin/eslint.js', '--max-warnings=0', ...written]));
    expectSuccess(await run(copy, ['node_modules/prettier/bin/prettier.cjs', '--check', ...written]));
  }, 120_000);

  it('serves its routes in the OpenAPI document', async () => {
    const api = await new ApiProcess(
      { DATABASE_URL: databaseUrl, REDIS_KEY_PREFIX: `${process.env.REDIS_KEY_PREFIX}-generator` },
      copy,
    ).start();
    try {
      const document = (await (await fetch(`${api.base}/api/v1/openapi.json`)).json()) as {
        paths: Record<string, Record<string, unknown>>;
        components: { schemas: Record<string, { properties: Record<string, unknown>; required?: string[] }> };
      };
      const list = Object.keys(document.paths).find((path) => /^\/api\/v1\/gadgets\/?$/.test(path));
      expect(Object.keys(document.paths[list ?? ''] ?? {}).sort()).toEqual(['get', 'post']);
      expect(Object.keys(document.paths['/api/v1/gadgets/{id}'] ?? {}).sort()).toEqual(['delete', 'get', 'put']);
      const create = document.components.schemas.CreateGadgetDto;
      expect(Object.keys(create.properties).sort()).toEqual(['label', 'price', 'released']);
      expect(create.required?.sort()).toEqual(['label', 'price']);
      expect(Object.keys(document.paths['/api/v1/labels/{id}'] ?? {}).sort()).toEqual(['delete', 'get', 'put']);
      expect(Object.keys(document.paths['/api/v1/organizations/{org_id}/projects/{id}'] ?? {}).sort()).toEqual([
        'delete',
        'get',
        'put',
      ]);
    } finally {
      await api.stop();
    }
  }, 60_000);
});
