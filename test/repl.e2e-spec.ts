import { join } from 'node:path';
import { ReplSession } from '../scripts/repl-session.js';
import { loadConfig } from '../src/config/app-config.js';

/** `npm run repl`: the app's services and repositories against the live database. */
describe('REPL', () => {
  it('answers with the live database through the services and repositories, and exits 0 on .exit', async () => {
    const superuser = loadConfig(process.env).firstSuperuser;
    const repl = new ReplSession({ cwd: join(import.meta.dirname, '..'), env: process.env });

    await repl.ask(
      `await get(UsersService).findByEmail('${superuser}').then((user) => 'found ' + user.email + ' ' + user.isSuperuser)`,
      `'found ${superuser} true'`,
    );
    await repl.ask(`'users: ' + (await get('UserRepository').count() > 0)`, "'users: true'");
    await repl.ask('methods(ItemsService)', 'listVisible');
    expect(await repl.exit()).toBe(0);
  }, 60_000);
});
