import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { DataSource, type Repository } from 'typeorm';
import { WritePathBypassError } from '../src/database/write-path.js';
import { AuthSession } from '../src/modules/auth/entities/auth-session.entity.js';
import { Item } from '../src/modules/items/entities/item.entity.js';
import { User } from '../src/modules/users/entities/user.entity.js';
import { createTestApp } from './utils/test-app.js';
import { bearer, signedInUser, uniqueEmail } from './utils/users.js';

/**
 * Users, sessions and items are written only through their write paths (UserWrites, SessionWrites,
 * ItemWrites), which tell every process what changed. A write that goes around them is refused,
 * whichever TypeORM call makes it; the e2e tests of every route prove the routes' own writes go through.
 */
describe('write paths', () => {
  let app: NestFastifyApplication;
  let users: Repository<User>;
  let sessions: Repository<AuthSession>;
  let items: Repository<Item>;
  let user: User;
  let session: AuthSession;
  let item: Item;

  beforeAll(async () => {
    app = await createTestApp();
    const caller = await signedInUser(app);
    await request(app.getHttpServer())
      .post('/api/v1/items/')
      .set(bearer(caller.token))
      .send({ title: 'written through the path' })
      .expect(201);
    const dataSource = app.get(DataSource);
    users = dataSource.getRepository(User);
    sessions = dataSource.getRepository(AuthSession);
    items = dataSource.getRepository(Item);
    user = await users.findOneByOrFail({ id: caller.id });
    session = await sessions.findOneByOrFail({ userId: user.id });
    item = await items.findOneByOrFail({ ownerId: user.id });
  });

  afterAll(() => app.close());

  const refused = (write: () => Promise<unknown>) => expect(write()).rejects.toBeInstanceOf(WritePathBypassError);

  it('refuses a user written around UserWrites, and keeps the row as it was', async () => {
    await refused(() => users.update({ id: user.id }, { isActive: false }));
    await refused(() => users.save({ ...user, fullName: 'bypassed' }));
    await refused(() =>
      users.createQueryBuilder().update().set({ isSuperuser: true }).where({ id: user.id }).execute(),
    );
    await refused(() =>
      users.insert({ email: uniqueEmail('bypass'), emailNormalized: uniqueEmail('bypass'), hashedPassword: 'x' }),
    );
    await refused(() => users.delete({ id: user.id }));
    expect(await users.findOneByOrFail({ id: user.id })).toEqual(user);
  });

  it('refuses a session written around SessionWrites', async () => {
    await refused(() => sessions.update({ id: session.id }, { revokedAt: new Date() }));
    await refused(() => sessions.createQueryBuilder().delete().where({ id: session.id }).execute());
    await refused(() => sessions.save({ ...session, credentialsVersion: session.credentialsVersion + 1 }));
    expect(await sessions.findOneByOrFail({ id: session.id })).toEqual(session);
  });

  it('refuses an item written around ItemWrites', async () => {
    await refused(() => items.update({ id: item.id }, { title: 'bypassed' }));
    await refused(() => items.insert({ title: 'bypassed', ownerId: user.id }));
    await refused(() => items.remove(item));
    expect(await items.findOneByOrFail({ id: item.id })).toEqual(item);
  });
});
