import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { urlSearchParamsBodySerializer } from '../sdk/src/client/index.js';
import {
  authLogin,
  authRefresh,
  client,
  type ItemResponseDto,
  itemsCreate,
  itemsDelete,
  itemsFindOne,
  itemsList,
  itemsUpdate,
  type TokenResponseDto,
  type UserResponseDto,
  usersReadMe,
} from '../sdk/src/index.js';
import { createTestApp } from './utils/test-app.js';
import { createUser, type TestUser } from './utils/users.js';

const projectRoot = join(import.meta.dirname, '..');

/**
 * The SDK's auth callback is asked once per security scheme of an operation, and our routes
 * accept a bearer token or an X-API-Key: answering both would send the token as an API key too,
 * which the API tries first and refuses.
 */
const bearerOnly = (token: string) => (scheme: { scheme?: string }) => (scheme.scheme === 'bearer' ? token : undefined);

describe('the typed SDK (sdk/) against the running API', () => {
  let app: NestFastifyApplication;
  let user: TestUser;

  beforeAll(async () => {
    app = await createTestApp();
    await app.listen(0, '127.0.0.1');
    client.setConfig({ baseUrl: await app.getUrl() });
    user = await createUser(app, { full_name: 'SDK user' });
  });

  afterAll(async () => {
    await app.close();
  });

  /** Success paths throw on an error status (`throwOnError`), so their `data` is typed as the body itself. */
  async function login(): Promise<TokenResponseDto> {
    return (await authLogin({ body: { username: user.email, password: user.password }, throwOnError: true })).data;
  }

  it('logs in, reads the current user and refreshes the token pair', async () => {
    const tokens = await login();
    expect(tokens.token_type).toBe('bearer');

    const me: UserResponseDto = (await usersReadMe({ auth: bearerOnly(tokens.access_token), throwOnError: true })).data;
    expect(me).toMatchObject({ id: user.id, email: user.email, full_name: 'SDK user', is_superuser: false });

    const refreshed = (await authRefresh({ body: { refresh_token: tokens.refresh_token }, throwOnError: true })).data;
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    expect((await usersReadMe({ auth: bearerOnly(refreshed.access_token), throwOnError: true })).data.id).toBe(user.id);

    // Refresh tokens rotate: the used one is refused, as an error result rather than a throw.
    const reused = await authRefresh({ body: { refresh_token: tokens.refresh_token } });
    expect(reused.response?.status).toBe(401);
    expect(reused.data).toBeUndefined();
    expect(reused.error).toEqual({ detail: 'Could not validate credentials' });
  });

  it('logs in with the OAuth2 password form, as the template clients do', async () => {
    // The SDK sends JSON by default (the document offers both); the form needs its serializer.
    const { data, request, response } = await authLogin({
      body: { username: user.email, password: user.password },
      ...urlSearchParamsBodySerializer,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      throwOnError: true,
    });
    expect(request.headers.get('content-type')).toBe('application/x-www-form-urlencoded');
    expect(response.status).toBe(200);
    expect(data.access_token).toEqual(expect.any(String));
  });

  it('creates, reads, lists, updates and deletes an item, then gets 404 for it', async () => {
    client.setConfig({ auth: bearerOnly((await login()).access_token) });
    try {
      const created = await itemsCreate({ body: { title: 'From the SDK', description: 'typed' }, throwOnError: true });
      expect(created.response.status).toBe(201);
      const item: ItemResponseDto = created.data;
      expect(item).toMatchObject({ title: 'From the SDK', description: 'typed', owner_id: user.id });

      expect((await itemsFindOne({ path: { id: item.id }, throwOnError: true })).data).toEqual(item);

      const page = (await itemsList({ query: { skip: 0, limit: 10 }, throwOnError: true })).data;
      expect(page.count).toBe(1);
      expect(page.data.map((listed) => listed.id)).toEqual([item.id]);

      const updated = (await itemsUpdate({ path: { id: item.id }, body: { title: 'Renamed' }, throwOnError: true }))
        .data;
      expect(updated).toMatchObject({ id: item.id, title: 'Renamed', description: 'typed' });

      expect((await itemsDelete({ path: { id: item.id }, throwOnError: true })).response.status).toBe(204);

      const gone = await itemsFindOne({ path: { id: item.id } });
      expect(gone.response?.status).toBe(404);
      expect(gone.data).toBeUndefined();
      // `unknown` in the SDK's types: the document declares no error bodies for this operation.
      expect(gone.error).toEqual({ detail: 'Item not found' });
    } finally {
      client.setConfig({ auth: undefined });
    }
  });
});

/** Runs the built `npm run openapi:check` with extra arguments; resolves with its exit code and output. */
function runOpenApiCheck(args: string[] = []): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(projectRoot, 'dist', 'scripts', 'openapi.js'), '--check', ...args],
      { cwd: projectRoot },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) || 1 : 0, output: `${stdout}${stderr}` }),
    );
  });
}

describe('npm run openapi:check on the SDK', () => {
  it('passes on the committed openapi.json and sdk/', async () => {
    expect(await runOpenApiCheck()).toEqual({ code: 0, output: '' });
  }, 60_000);

  it('fails, naming the file, when a generated file of the SDK is edited', async () => {
    // A copy of the package, so that the real tree is never touched.
    const copy = mkdtempSync(join(tmpdir(), 'sdk-stale-'));
    try {
      for (const part of ['package.json', 'tsconfig.json', 'openapi-ts.config.ts', 'src']) {
        cpSync(join(projectRoot, 'sdk', part), join(copy, part), { recursive: true });
      }
      writeFileSync(join(copy, 'src', 'sdk.gen.ts'), '// edited by hand\n', { flag: 'a' });
      const result = await runOpenApiCheck(['--sdk-dir', copy]);
      expect(result.code).toBe(1);
      expect(result.output).toContain(
        'differs from what openapi.json generates: run `npm run openapi` and commit the result.',
      );
      expect(result.output).toContain('differs: sdk.gen.ts');
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  }, 60_000);
});
