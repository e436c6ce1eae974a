import { randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { type AppConfig, loadConfig } from '../src/config/app-config.js';
import { ApiProcess } from './utils/api-process.js';
import { SmtpCatcher } from './utils/smtp-catcher.js';
import { createTestApp } from './utils/test-app.js';
import { bearer, createUser, login, loginAsSuperuser, type TestUser, uniqueEmail } from './utils/users.js';
import { WorkerProcess } from './utils/worker-process.js';

const ORGS = '/api/v1/organizations';
const NOT_FOUND = { detail: 'Organization not found' };
const TOO_LOW = { detail: 'Not enough privileges' };
const ORGANIZATION_KEYS = ['created_at', 'id', 'name', 'role'];
const ORGANIZATION_ITEM_KEYS = [
  'created_at',
  'description',
  'id',
  'organization_id',
  'owner_id',
  'title',
  'updated_at',
];

type Role = 'owner' | 'admin' | 'member' | 'viewer';
interface Person extends TestUser {
  token: string;
}

describe('organizations', () => {
  let smtp: SmtpCatcher;
  let worker: WorkerProcess;
  let app: NestFastifyApplication;
  /** A second API process (the built app) on the same database and Redis: changes must hold in it at once. */
  let otherApi: ApiProcess;
  let superuser: string;
  let config: AppConfig;
  const http = () => request(app.getHttpServer());

  async function person(fields: { email?: string } = {}): Promise<Person> {
    const user = await createUser(app, fields);
    return { ...user, token: (await login(app, user.email, user.password)).access_token };
  }

  async function organization(owner: Person, name = 'Acme'): Promise<string> {
    return (await http().post(`${ORGS}/`).set(bearer(owner.token)).send({ name }).expect(201)).body.id;
  }

  /** Invites `who` with `role` as `by`, and accepts as `who` with the token from the email. */
  async function join(organizationId: string, by: Person, who: Person, role: Role): Promise<void> {
    const token = await invite(organizationId, by, who.email, role);
    await http().post('/api/v1/invitations/accept').set(bearer(who.token)).send({ token }).expect(200);
  }

  async function invite(organizationId: string, by: Person, email: string, role: Role): Promise<string> {
    await http().post(`${ORGS}/${organizationId}/invitations`).set(bearer(by.token)).send({ email, role }).expect(201);
    const mail = await smtp.waitFor(email, 'Invitation to', 10_000);
    smtp.messages.splice(smtp.messages.indexOf(mail), 1);
    const link = /accept-invitation\?token=([\w%-]+)/.exec(mail.text ?? '');
    if (!link) throw new Error(`no invitation link in: ${mail.text}`);
    return decodeURIComponent(link[1]);
  }

  /** An organization with an owner and one person of each other role. */
  async function team(): Promise<{ id: string } & Record<Role, Person>> {
    const [owner, admin, member, viewer] = await Promise.all([person(), person(), person(), person()]);
    const id = await organization(owner);
    await join(id, owner, admin, 'admin');
    await join(id, owner, member, 'member');
    await join(id, owner, viewer, 'viewer');
    return { id, owner, admin, member, viewer };
  }

  beforeAll(async () => {
    smtp = await new SmtpCatcher().start();
    worker = await new WorkerProcess(smtp.env()).start();
    config = loadConfig({ ...process.env, ...smtp.env() });
    app = await createTestApp({ smtp: config.smtp });
    otherApi = await new ApiProcess({ SHUTDOWN_DRAIN_MS: '0' }).start();
    superuser = (await loginAsSuperuser(app)).access_token;
  }, 60_000);

  afterAll(async () => {
    await Promise.all([app?.close(), otherApi?.stop()]);
    await worker?.stop();
    await smtp?.stop();
  });

  describe('the organization itself', () => {
    it('makes its creator the owner and shows it to members only', async () => {
      const [owner, stranger] = await Promise.all([person(), person()]);
      const created = await http()
        .post(`${ORGS}/`)
        .set(bearer(owner.token))
        .send({ name: 'Acme', role: 'viewer', id: randomUUID(), owner_id: stranger.id })
        .expect(201);
      expect(Object.keys(created.body).sort()).toEqual(ORGANIZATION_KEYS);
      expect(created.body).toMatchObject({ name: 'Acme', role: 'owner' });

      const read = await http().get(`${ORGS}/${created.body.id}`).set(bearer(owner.token)).expect(200);
      expect(read.body).toEqual(created.body);
      expect((await http().get(`${ORGS}/${created.body.id}`).set(bearer(stranger.token)).expect(404)).body).toEqual(
        NOT_FOUND,
      );
      expect((await http().get(`${ORGS}/${randomUUID()}`).set(bearer(owner.token)).expect(404)).body).toEqual(
        NOT_FOUND,
      );
      await http().get(`${ORGS}/not-a-uuid`).set(bearer(owner.token)).expect(422);
      await http().get(`${ORGS}/${created.body.id}`).expect(401);
    });

    it("lists the caller's organizations with their role, and all of them for a superuser", async () => {
      const { id, owner, viewer } = await team();
      const other = await organization(viewer, 'Viewer Co');
      const mine = await http().get(`${ORGS}/`).set(bearer(viewer.token)).expect(200);
      expect(mine.body.count).toBe(2);
      expect(mine.body.data.map((o: { id: string; role: string }) => [o.id, o.role])).toEqual([
        [other, 'owner'],
        [id, 'viewer'],
      ]);
      const paged = await http().get(`${ORGS}/?skip=1&limit=1`).set(bearer(viewer.token)).expect(200);
      expect(paged.body).toEqual({ data: [mine.body.data[1]], count: 2 });
      expect((await http().get(`${ORGS}/`).set(bearer(owner.token)).expect(200)).body.count).toBe(1);

      const all = await http().get(`${ORGS}/?limit=1000`).set(bearer(superuser)).expect(200);
      const seen = all.body.data.find((o: { id: string }) => o.id === id);
      expect(seen.role).toBe('owner');
      expect(all.body.count).toBeGreaterThanOrEqual(2);
    });

    it('is renamed by owners and admins only, and refuses a bad name', async () => {
      const { id, admin, member, viewer } = await team();
      const renamed = await http()
        .patch(`${ORGS}/${id}`)
        .set(bearer(admin.token))
        .send({ name: 'Acme Inc.' })
        .expect(200);
      expect(renamed.body).toMatchObject({ id, name: 'Acme Inc.', role: 'admin' });
      for (const who of [member, viewer])
        expect(
          (await http().patch(`${ORGS}/${id}`).set(bearer(who.token)).send({ name: 'x' }).expect(403)).body,
        ).toEqual(TOO_LOW);
      for (const name of ['', 'x'.repeat(256), null, 7])
        await http().patch(`${ORGS}/${id}`).set(bearer(admin.token)).send({ name }).expect(422);
      expect((await http().get(`${ORGS}/${id}`).set(bearer(viewer.token)).expect(200)).body.name).toBe('Acme Inc.');
    });

    it('is deleted by its owner only, with its items, memberships and invitations', async () => {
      const { id, owner, admin, member } = await team();
      const item = await http().post(`${ORGS}/${id}/items/`).set(bearer(member.token)).send({ title: 'x' }).expect(201);
      const invited = await person();
      const token = await invite(id, owner, invited.email, 'member');
      expect((await http().delete(`${ORGS}/${id}`).set(bearer(admin.token)).expect(403)).body).toEqual(TOO_LOW);
      await http().delete(`${ORGS}/${id}`).set(bearer(owner.token)).expect(204);
      await http().get(`${ORGS}/${id}`).set(bearer(owner.token)).expect(404);
      await http().get(`${ORGS}/${id}/items/${item.body.id}`).set(bearer(member.token)).expect(404);
      const rows = await app
        .get(DataSource)
        .query(
          'SELECT (SELECT count(*) FROM items WHERE organization_id = $1) AS items, (SELECT count(*) FROM memberships WHERE organization_id = $1) AS members, (SELECT count(*) FROM invitations WHERE organization_id = $1) AS invitations',
          [id],
        );
      expect(rows[0]).toEqual({ items: '0', members: '0', invitations: '0' });
      const accept = await http().post('/api/v1/invitations/accept').set(bearer(invited.token)).send({ token });
      expect({ status: accept.status, body: accept.body }).toEqual({
        status: 400,
        body: { detail: 'Invalid invitation' },
      });
    });
  });

  describe('members', () => {
    it('are listed for every member in the order they joined', async () => {
      const { id, owner, admin, member, viewer } = await team();
      const list = await http().get(`${ORGS}/${id}/members`).set(bearer(viewer.token)).expect(200);
      expect(list.body.count).toBe(4);
      expect(list.body.data.map((m: { user_id: string; role: string }) => [m.user_id, m.role])).toEqual([
        [owner.id, 'owner'],
        [admin.id, 'admin'],
        [member.id, 'member'],
        [viewer.id, 'viewer'],
      ]);
      expect(Object.keys(list.body.data[0]).sort()).toEqual(['email', 'full_name', 'joined_at', 'role', 'user_id']);
      expect(list.body.data[0].email).toBe(owner.email);
      const stranger = await person();
      expect((await http().get(`${ORGS}/${id}/members`).set(bearer(stranger.token)).expect(404)).body).toEqual(
        NOT_FOUND,
      );
    });

    it('get another role from owners and admins; only an owner makes or changes an owner', async () => {
      const { id, owner, admin, member, viewer } = await team();
      const changed = await http()
        .patch(`${ORGS}/${id}/members/${viewer.id}`)
        .set(bearer(admin.token))
        .send({ role: 'member', user_id: owner.id, organization_id: randomUUID() })
        .expect(200);
      expect(changed.body).toMatchObject({ user_id: viewer.id, role: 'member' });
      await http()
        .patch(`${ORGS}/${id}/members/${viewer.id}`)
        .set(bearer(admin.token))
        .send({ role: 'owner' })
        .expect(403);
      await http()
        .patch(`${ORGS}/${id}/members/${owner.id}`)
        .set(bearer(admin.token))
        .send({ role: 'member' })
        .expect(403);
      await http()
        .patch(`${ORGS}/${id}/members/${viewer.id}`)
        .set(bearer(member.token))
        .send({ role: 'admin' })
        .expect(403);
      await http()
        .patch(`${ORGS}/${id}/members/${admin.id}`)
        .set(bearer(owner.token))
        .send({ role: 'owner' })
        .expect(200);
      const bad = await http()
        .patch(`${ORGS}/${id}/members/${viewer.id}`)
        .set(bearer(owner.token))
        .send({ role: 'superuser' })
        .expect(422);
      expect(bad.body.detail[0]).toMatchObject({ type: 'enum', loc: ['body', 'role'] });
      const unknown = await http()
        .patch(`${ORGS}/${id}/members/${randomUUID()}`)
        .set(bearer(owner.token))
        .send({ role: 'member' })
        .expect(404);
      expect(unknown.body).toEqual({ detail: 'Member not found' });
    });

    it('keep at least one owner: the last one can be neither demoted nor removed, nor leave', async () => {
      const { id, owner } = await team();
      const lastOwner = { detail: 'An organization needs at least one owner' };
      for (const attempt of [
        http().patch(`${ORGS}/${id}/members/${owner.id}`).set(bearer(owner.token)).send({ role: 'admin' }),
        http().delete(`${ORGS}/${id}/members/${owner.id}`).set(bearer(owner.token)),
        http().delete(`${ORGS}/${id}/members/${owner.id}`).set(bearer(superuser)),
      ])
        expect((await attempt.expect(400)).body).toEqual(lastOwner);
    });

    it('are removed by owners and admins, and may leave by themselves', async () => {
      const { id, owner, admin, member, viewer } = await team();
      await http().delete(`${ORGS}/${id}/members/${owner.id}`).set(bearer(admin.token)).expect(403);
      await http().delete(`${ORGS}/${id}/members/${viewer.id}`).set(bearer(member.token)).expect(403);
      await http().delete(`${ORGS}/${id}/members/${viewer.id}`).set(bearer(viewer.token)).expect(204);
      await http().delete(`${ORGS}/${id}/members/${member.id}`).set(bearer(admin.token)).expect(204);
      await http().delete(`${ORGS}/${id}/members/${member.id}`).set(bearer(admin.token)).expect(404);
      expect((await http().get(`${ORGS}/${id}/members`).set(bearer(owner.token)).expect(200)).body.count).toBe(2);
    });

    it('never lose their last owner to two owners demoting each other at once', async () => {
      for (let round = 0; round < 5; round++) {
        const [first, second] = await Promise.all([person(), person()]);
        const id = await organization(first);
        await join(id, first, second, 'owner');
        const [one, two] = await Promise.all([
          http().patch(`${ORGS}/${id}/members/${second.id}`).set(bearer(first.token)).send({ role: 'viewer' }),
          http().patch(`${ORGS}/${id}/members/${first.id}`).set(bearer(second.token)).send({ role: 'viewer' }),
        ]);
        expect([one.status, two.status].sort()).toEqual([200, 403]);
        const members = await http().get(`${ORGS}/${id}/members`).set(bearer(superuser)).expect(200);
        expect(members.body.data.filter((m: { role: string }) => m.role === 'owner')).toHaveLength(1);
      }
    });
  });

  describe('invitations', () => {
    it('mail a single-use link that the invited address accepts, with the role given', async () => {
      const [owner, invitee] = await Promise.all([person(), person()]);
      const id = await organization(owner, 'Invited Co');
      const created = await http()
        .post(`${ORGS}/${id}/invitations`)
        .set(bearer(owner.token))
        .send({ email: invitee.email.toUpperCase(), role: 'member', organization_id: randomUUID() })
        .expect(201);
      expect(Object.keys(created.body).sort()).toEqual(['email', 'expires_at', 'id', 'role']);
      const hours = (Date.parse(created.body.expires_at) - Date.now()) / 3600_000;
      expect(hours).toBeGreaterThan(71.9);
      expect(hours).toBeLessThanOrEqual(72);
      const mail = await smtp.waitFor(invitee.email, 'Invitation to Invited Co', 10_000);
      const token = decodeURIComponent(/accept-invitation\?token=([\w%-]+)/.exec(mail.text ?? '')![1]);
      expect(mail.text).toContain(`${config.frontendHost}/accept-invitation?token=`);

      const listed = await http().get(`${ORGS}/${id}/invitations`).set(bearer(owner.token)).expect(200);
      expect(listed.body).toEqual({ data: [created.body], count: 1 });

      const accepted = await http()
        .post('/api/v1/invitations/accept')
        .set(bearer(invitee.token))
        .send({ token })
        .expect(200);
      expect(accepted.body).toMatchObject({ id, name: 'Invited Co', role: 'member' });
      expect((await http().get(`${ORGS}/${id}`).set(bearer(invitee.token)).expect(200)).body.role).toBe('member');
      const again = await http()
        .post('/api/v1/invitations/accept')
        .set(bearer(invitee.token))
        .send({ token })
        .expect(400);
      expect(again.body).toEqual({ detail: 'Invalid invitation' });
      expect((await http().get(`${ORGS}/${id}/invitations`).set(bearer(owner.token)).expect(200)).body.count).toBe(0);
    });

    it('refuse another account (the invitation stays usable), and forged, revoked or expired tokens', async () => {
      const [owner, invitee, other] = await Promise.all([person(), person(), person()]);
      const id = await organization(owner);
      const token = await invite(id, owner, invitee.email, 'viewer');
      const wrong = await http()
        .post('/api/v1/invitations/accept')
        .set(bearer(other.token))
        .send({ token })
        .expect(403);
      expect(wrong.body).toEqual({ detail: 'This invitation is for another email address' });
      for (const forged of [`${token}x`, 'x', randomUUID()])
        await http().post('/api/v1/invitations/accept').set(bearer(invitee.token)).send({ token: forged }).expect(400);
      await http().post('/api/v1/invitations/accept').set(bearer(invitee.token)).send({}).expect(422);
      await http().post('/api/v1/invitations/accept').send({ token }).expect(401);

      const expiring = await invite(id, owner, other.email, 'viewer');
      await app
        .get(DataSource)
        .query("UPDATE invitations SET expires_at = now() - interval '1 second' WHERE email = $1", [other.email]);
      await http().post('/api/v1/invitations/accept').set(bearer(other.token)).send({ token: expiring }).expect(400);

      const list = await http().get(`${ORGS}/${id}/invitations`).set(bearer(owner.token)).expect(200);
      const pending = list.body.data.find((i: { email: string }) => i.email === invitee.email);
      await http().delete(`${ORGS}/${id}/invitations/${pending.id}`).set(bearer(owner.token)).expect(204);
      await http().delete(`${ORGS}/${id}/invitations/${pending.id}`).set(bearer(owner.token)).expect(404);
      await http().post('/api/v1/invitations/accept').set(bearer(invitee.token)).send({ token }).expect(400);
    });

    it('are made by owners and admins; an admin cannot invite an owner; members are not invited again', async () => {
      const { id, owner, admin, member } = await team();
      await http()
        .post(`${ORGS}/${id}/invitations`)
        .set(bearer(member.token))
        .send({ email: uniqueEmail(), role: 'viewer' })
        .expect(403);
      await http().get(`${ORGS}/${id}/invitations`).set(bearer(member.token)).expect(403);
      await http()
        .post(`${ORGS}/${id}/invitations`)
        .set(bearer(admin.token))
        .send({ email: uniqueEmail(), role: 'owner' })
        .expect(403);
      const already = await http()
        .post(`${ORGS}/${id}/invitations`)
        .set(bearer(owner.token))
        .send({ email: member.email, role: 'viewer' })
        .expect(400);
      expect(already.body).toEqual({ detail: 'Already a member' });
      for (const body of [{ email: 'not-an-email', role: 'viewer' }, { email: uniqueEmail(), role: 'boss' }, {}])
        await http().post(`${ORGS}/${id}/invitations`).set(bearer(owner.token)).send(body).expect(422);
    });

    it('let one of many parallel accepts of one token through', async () => {
      const [owner, invitee] = await Promise.all([person(), person()]);
      const id = await organization(owner);
      const token = await invite(id, owner, invitee.email, 'member');
      const answers = await Promise.all(
        Array.from({ length: 8 }, () =>
          http().post('/api/v1/invitations/accept').set(bearer(invitee.token)).send({ token }),
        ),
      );
      expect(answers.map((answer) => answer.status).sort()).toEqual([200, 400, 400, 400, 400, 400, 400, 400]);
      const members = await http().get(`${ORGS}/${id}/members`).set(bearer(owner.token)).expect(200);
      expect(members.body.count).toBe(2);
    });

    it('make a person a member once when two of their invitations are accepted at once', async () => {
      const [owner, invitee] = await Promise.all([person(), person()]);
      const id = await organization(owner);
      const first = await invite(id, owner, invitee.email, 'viewer');
      const second = await invite(id, owner, invitee.email, 'member');
      const answers = await Promise.all(
        [first, second].map((token) =>
          http().post('/api/v1/invitations/accept').set(bearer(invitee.token)).send({ token }),
        ),
      );
      expect(answers.map((answer) => answer.status).sort()).toEqual([200, 400]);
      expect(answers.find((answer) => answer.status === 400)!.body).toEqual({ detail: 'Already a member' });
      const members = await http().get(`${ORGS}/${id}/members`).set(bearer(owner.token)).expect(200);
      expect(members.body.count).toBe(2);
    });

    it('can invite an address with no account yet, which accepts after signing up', async () => {
      const owner = await person();
      const id = await organization(owner);
      const email = uniqueEmail('newcomer');
      const token = await invite(id, owner, email, 'member');
      const newcomer = await person({ email });
      await http().post('/api/v1/invitations/accept').set(bearer(newcomer.token)).send({ token }).expect(200);
    });
  });

  describe('items of an organization', () => {
    it('are read by every member and written by members and above', async () => {
      const { id, owner, admin, member, viewer } = await team();
      const created = await http()
        .post(`${ORGS}/${id}/items/`)
        .set(bearer(member.token))
        .send({ title: 'Shared', organization_id: randomUUID(), owner_id: owner.id })
        .expect(201);
      expect(Object.keys(created.body).sort()).toEqual(ORGANIZATION_ITEM_KEYS);
      expect(created.body).toMatchObject({ title: 'Shared', organization_id: id, owner_id: member.id });
      const path = `${ORGS}/${id}/items/${created.body.id}`;

      expect((await http().get(path).set(bearer(viewer.token)).expect(200)).body).toEqual(created.body);
      const list = await http().get(`${ORGS}/${id}/items/`).set(bearer(viewer.token)).expect(200);
      expect(list.body).toEqual({ data: [created.body], count: 1 });
      for (const write of [
        http().post(`${ORGS}/${id}/items/`).set(bearer(viewer.token)).send({ title: 'x' }),
        http().put(path).set(bearer(viewer.token)).send({ title: 'x' }),
        http().delete(path).set(bearer(viewer.token)),
      ])
        expect((await write.expect(403)).body).toEqual(TOO_LOW);

      const updated = await http().put(path).set(bearer(admin.token)).send({ title: 'Edited' }).expect(200);
      expect(updated.body).toMatchObject({ title: 'Edited', owner_id: member.id, organization_id: id });
      await http().delete(path).set(bearer(owner.token)).expect(204);
      expect((await http().get(path).set(bearer(viewer.token)).expect(404)).body).toEqual({ detail: 'Item not found' });
    });

    it('are not found through another organization or the personal routes, and hidden from non-members', async () => {
      const { id, member } = await team();
      const otherOrganization = await organization(member, 'Other');
      const item = (
        await http().post(`${ORGS}/${id}/items/`).set(bearer(member.token)).send({ title: 'x' }).expect(201)
      ).body;
      await http().get(`${ORGS}/${otherOrganization}/items/${item.id}`).set(bearer(member.token)).expect(404);
      await http().get(`/api/v1/items/${item.id}`).set(bearer(member.token)).expect(404);
      await http().get(`/api/v1/items/${item.id}`).set(bearer(superuser)).expect(404);
      const personal = await http().get('/api/v1/items/').set(bearer(member.token)).expect(200);
      expect(personal.body.data.map((i: { id: string }) => i.id)).not.toContain(item.id);

      const stranger = await person();
      for (const attempt of [
        http().get(`${ORGS}/${id}/items/`).set(bearer(stranger.token)),
        http().get(`${ORGS}/${id}/items/${item.id}`).set(bearer(stranger.token)),
        http().put(`${ORGS}/${id}/items/${item.id}`).set(bearer(stranger.token)).send({ title: 'x' }),
        http().delete(`${ORGS}/${id}/items/${item.id}`).set(bearer(stranger.token)),
      ])
        expect((await attempt.expect(404)).body).toEqual(NOT_FOUND);
    });

    it('are read, not written, with a read-only API key of a member', async () => {
      const { id, member } = await team();
      const item = (
        await http().post(`${ORGS}/${id}/items/`).set(bearer(member.token)).send({ title: 'x' }).expect(201)
      ).body;
      const key = (
        await http()
          .post('/api/v1/users/me/api-keys')
          .set(bearer(member.token))
          .send({ name: 'reader', read_only: true })
          .expect(201)
      ).body.key as string;
      await http().get(`${ORGS}/${id}/items/${item.id}`).set('X-API-Key', key).expect(200);
      const refused = await http().post(`${ORGS}/${id}/items/`).set('X-API-Key', key).send({ title: 'x' }).expect(403);
      expect(refused.body).toEqual({ detail: 'This API key is read-only' });
    });
  });

  describe('a change of membership', () => {
    it('holds from the very next request, in another API process too', async () => {
      const { id, owner, member, viewer } = await team();
      const item = (
        await http().post(`${ORGS}/${id}/items/`).set(bearer(member.token)).send({ title: 'x' }).expect(201)
      ).body;
      const path = `${ORGS}/${id}/items/${item.id}`;
      /** The status the other process answers. */
      const other = async (method: string, url: string, who: Person, body?: object) =>
        (
          await fetch(`${otherApi.base}${url}`, {
            method,
            headers: { ...bearer(who.token), 'Content-Type': 'application/json' },
            body: body && JSON.stringify(body),
          })
        ).status;
      expect(await other('GET', path, viewer)).toBe(200);
      expect(await other('PUT', path, member, { title: 'y' })).toBe(200);

      await http().delete(`${ORGS}/${id}/members/${viewer.id}`).set(bearer(owner.token)).expect(204);
      expect(await other('GET', path, viewer)).toBe(404);
      await http()
        .patch(`${ORGS}/${id}/members/${member.id}`)
        .set(bearer(owner.token))
        .send({ role: 'viewer' })
        .expect(200);
      expect(await other('PUT', path, member, { title: 'z' })).toBe(403);
      expect(await other('GET', path, member)).toBe(200);
      await http().delete(`${ORGS}/${id}`).set(bearer(owner.token)).expect(204);
      expect(await other('GET', path, member)).toBe(404);
      expect(await other('GET', `${ORGS}/${id}`, owner)).toBe(404);
    });
  });
});
