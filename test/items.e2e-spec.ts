import { randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { createTestApp } from './utils/test-app.js';
import { bearer, loginAsSuperuser, signedInUser } from './utils/users.js';

const ITEM_KEYS = ['created_at', 'description', 'id', 'owner_id', 'title', 'updated_at'];

describe('items', () => {
  let app: NestFastifyApplication;
  let owner: { id: string; token: string };
  let stranger: { id: string; token: string };
  let admin: string;
  const http = () => request(app.getHttpServer());

  async function createItem(token: string, body: object = { title: 'An item' }) {
    return (await http().post('/api/v1/items/').set(bearer(token)).send(body).expect(201)).body;
  }

  beforeAll(async () => {
    app = await createTestApp();
    owner = await signedInUser(app);
    stranger = await signedInUser(app);
    admin = (await loginAsSuperuser(app)).access_token;
  });

  afterAll(async () => {
    await app.close();
  });

  describe('POST /items/', () => {
    it('creates an item owned by the caller, ignoring fields the caller may not set', async () => {
      const response = await http()
        .post('/api/v1/items/')
        .set(bearer(owner.token))
        .send({
          title: 'Milk',
          description: 'Two litres',
          owner_id: stranger.id,
          id: randomUUID(),
          created_at: '2000-01-01T00:00:00Z',
        })
        .expect(201);
      expect(Object.keys(response.body).sort()).toEqual(ITEM_KEYS);
      expect(response.body).toMatchObject({ title: 'Milk', description: 'Two litres', owner_id: owner.id });
      expect(response.body.created_at.startsWith('2000')).toBe(false);
      const stored = await http().get(`/api/v1/items/${response.body.id}`).set(bearer(owner.token)).expect(200);
      expect(stored.body).toEqual(response.body);
    });

    it('answers 422 for a missing, empty, too long or null title', async () => {
      for (const body of [
        {},
        { title: '' },
        { title: 'x'.repeat(256) },
        { title: null },
        { title: 'ok', description: 'x'.repeat(256) },
      ]) {
        const response = await http().post('/api/v1/items/').set(bearer(owner.token)).send(body).expect(422);
        expect(response.body.detail[0].loc[0]).toBe('body');
      }
    });

    it('requires authentication', async () => {
      await http().post('/api/v1/items/').send({ title: 'x' }).expect(401);
    });
  });

  describe('GET /items/', () => {
    it("lists the caller's own items newest first with the total count", async () => {
      const user = await signedInUser(app);
      const first = await createItem(user.token, { title: 'first' });
      const second = await createItem(user.token, { title: 'second' });
      await createItem(stranger.token, { title: 'not mine' });
      const response = await http().get('/api/v1/items/').set(bearer(user.token)).expect(200);
      expect(response.body.count).toBe(2);
      expect(response.body.data.map((item: { id: string }) => item.id)).toEqual([second.id, first.id]);
    });

    it('pages with skip and limit and answers 422 out of bounds', async () => {
      const user = await signedInUser(app);
      for (let i = 0; i < 3; i++) await createItem(user.token, { title: `item ${i}` });
      const page = await http().get('/api/v1/items/?skip=1&limit=1').set(bearer(user.token)).expect(200);
      expect(page.body).toMatchObject({ count: 3, data: [{ title: 'item 1' }] });
      const pastTheEnd = await http().get('/api/v1/items/?skip=5&limit=2').set(bearer(user.token)).expect(200);
      expect(pastTheEnd.body).toEqual({ count: 3, data: [] });
      const empty = await signedInUser(app);
      expect((await http().get('/api/v1/items/').set(bearer(empty.token)).expect(200)).body).toEqual({
        count: 0,
        data: [],
      });
      await http().get('/api/v1/items/?limit=1001').set(bearer(user.token)).expect(422);
      await http().get('/api/v1/items/?skip=-1').set(bearer(user.token)).expect(422);
      const farPastTheEnd = await http()
        .get(`/api/v1/items/?skip=${Number.MAX_SAFE_INTEGER}`)
        .set(bearer(user.token))
        .expect(200);
      expect(farPastTheEnd.body).toEqual({ count: 3, data: [] });
      const beyondExact = await http()
        .get('/api/v1/items/?skip=99999999999999999999')
        .set(bearer(user.token))
        .expect(422);
      expect(beyondExact.body.detail[0]).toMatchObject({ type: 'less_than_equal', loc: ['query', 'skip'] });
    });

    it('shows a superuser every item', async () => {
      const mine = await createItem(owner.token, { title: 'for the admin' });
      const response = await http().get('/api/v1/items/?limit=1000').set(bearer(admin)).expect(200);
      expect(response.body.data.map((item: { id: string }) => item.id)).toContain(mine.id);
    });
  });

  describe('GET /items/{id}', () => {
    it('returns an own item, and any item to a superuser', async () => {
      const item = await createItem(owner.token);
      await http().get(`/api/v1/items/${item.id}`).set(bearer(owner.token)).expect(200);
      const response = await http().get(`/api/v1/items/${item.id}`).set(bearer(admin)).expect(200);
      expect(response.body).toEqual(item);
    });

    it("answers 403 for someone else's item, 404 for an unknown one and 422 for a bad id", async () => {
      const item = await createItem(owner.token);
      expect((await http().get(`/api/v1/items/${item.id}`).set(bearer(stranger.token)).expect(403)).body).toEqual({
        detail: 'Not enough permissions',
      });
      expect((await http().get(`/api/v1/items/${randomUUID()}`).set(bearer(owner.token)).expect(404)).body).toEqual({
        detail: 'Item not found',
      });
      const bad = await http().get('/api/v1/items/nope').set(bearer(owner.token)).expect(422);
      expect(bad.body.detail[0]).toMatchObject({ type: 'uuid_parsing', loc: ['path', 'id'] });
    });
  });

  describe('PUT /items/{id}', () => {
    it('updates only the given fields; description null clears it', async () => {
      const item = await createItem(owner.token, { title: 'Before', description: 'Keep me' });
      const titled = await http()
        .put(`/api/v1/items/${item.id}`)
        .set(bearer(owner.token))
        .send({ title: 'After' })
        .expect(200);
      expect(titled.body).toMatchObject({ title: 'After', description: 'Keep me', owner_id: owner.id });
      const cleared = await http()
        .put(`/api/v1/items/${item.id}`)
        .set(bearer(owner.token))
        .send({ description: null })
        .expect(200);
      expect(cleared.body).toMatchObject({ title: 'After', description: null });
      const untouched = await http()
        .put(`/api/v1/items/${item.id}`)
        .set(bearer(owner.token))
        .send({ owner_id: stranger.id })
        .expect(200);
      expect(untouched.body.owner_id).toBe(owner.id);
    });

    it('answers 422 for title null and keeps the item', async () => {
      const item = await createItem(owner.token, { title: 'Stays' });
      const response = await http()
        .put(`/api/v1/items/${item.id}`)
        .set(bearer(owner.token))
        .send({ title: null })
        .expect(422);
      expect(response.body.detail[0].loc).toEqual(['body', 'title']);
      expect((await http().get(`/api/v1/items/${item.id}`).set(bearer(owner.token)).expect(200)).body.title).toBe(
        'Stays',
      );
    });

    it("lets a superuser edit anyone's item, and refuses a stranger", async () => {
      const item = await createItem(owner.token);
      await http().put(`/api/v1/items/${item.id}`).set(bearer(admin)).send({ title: 'By admin' }).expect(200);
      expect(
        (await http().put(`/api/v1/items/${item.id}`).set(bearer(stranger.token)).send({ title: 'x' }).expect(403))
          .body,
      ).toEqual({
        detail: 'Not enough permissions',
      });
      expect(
        (await http().put(`/api/v1/items/${randomUUID()}`).set(bearer(owner.token)).send({ title: 'x' }).expect(404))
          .body,
      ).toEqual({
        detail: 'Item not found',
      });
    });
  });

  describe('DELETE /items/{id}', () => {
    it('deletes an own item with 204 and no body', async () => {
      const item = await createItem(owner.token);
      const response = await http().delete(`/api/v1/items/${item.id}`).set(bearer(owner.token)).expect(204);
      expect(response.text).toBe('');
      await http().get(`/api/v1/items/${item.id}`).set(bearer(owner.token)).expect(404);
    });

    it("refuses a stranger, answers 404 for an unknown item, lets a superuser delete anyone's", async () => {
      const item = await createItem(owner.token);
      await http().delete(`/api/v1/items/${item.id}`).set(bearer(stranger.token)).expect(403);
      await http().delete(`/api/v1/items/${randomUUID()}`).set(bearer(owner.token)).expect(404);
      await http().delete(`/api/v1/items/${item.id}`).set(bearer(admin)).expect(204);
    });
  });

  describe('owner deletion', () => {
    it("removes the user's items with the user", async () => {
      const doomed = await signedInUser(app);
      const item = await createItem(doomed.token);
      await http().get('/api/v1/items/').set(bearer(admin)).expect(200);
      await http().delete('/api/v1/users/me').set(bearer(doomed.token)).expect(204);
      await http().get(`/api/v1/items/${item.id}`).set(bearer(admin)).expect(404);
      const all = await http().get('/api/v1/items/?limit=1000').set(bearer(admin)).expect(200);
      expect(all.body.data.map((i: { id: string }) => i.id)).not.toContain(item.id);
    });
  });
});
