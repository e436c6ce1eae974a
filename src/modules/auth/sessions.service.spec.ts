import { createHash, randomUUID } from 'node:crypto';
import { jest } from '@jest/globals';
import { type DataSource, IsNull, type Repository } from 'typeorm';
import type { AppConfig } from '../../config/app-config.js';
import { type ChangeFeed, type ChangeTopic, SESSION_CHANGED, USER_CHANGED } from '../../redis/change-feed.js';
import type { User } from '../users/entities/user.entity.js';
import type { AuthSession } from './entities/auth-session.entity.js';
import { SessionWrites } from './session-writes.js';
import { REMEMBERED_SECRETS, SessionsService } from './sessions.service.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const config = { refreshTokenExpireDays: 7 } as AppConfig;
const sha256 = (secret: string) => createHash('sha256').update(secret).digest('base64url');
const secretOf = (refreshToken: string) => refreshToken.split('.')[1];
/** Matches any Date (typed, for use inside the expected objects). */
const anyDate = expect.any(Date) as Date;

type StoredSession = AuthSession & { usedRefreshTokenHashes: string[] };

/**
 * The auth_sessions table in memory, for the calls SessionsService makes: the compare-and-set of
 * a rotation and the lookup of used secrets are SQL, which the e2e tests run against PostgreSQL.
 */
class SessionRows {
  readonly rows = new Map<string, StoredSession>();
  /** What the last rotation asked to write, to check the statement SessionsService builds. */
  lastRotation?: { set: Record<string, unknown>; where: Record<string, unknown>; replaced: unknown };

  readonly create = jest.fn((fields: Partial<AuthSession>) => ({ ...fields }) as AuthSession);
  readonly save = jest.fn(async (row: AuthSession) => {
    const saved = { ...row, id: row.id ?? randomUUID(), createdAt: new Date(), usedRefreshTokenHashes: [] };
    this.rows.set(saved.id, saved);
    return { ...row, id: saved.id };
  });
  readonly findOneBy = jest.fn(async ({ id }: { id: string }): Promise<AuthSession | null> => {
    const row = this.rows.get(id);
    if (!row) return null;
    // usedRefreshTokenHashes is `select: false`: a plain read does not load it.
    const { usedRefreshTokenHashes: _used, ...selected } = row;
    return selected;
  });
  readonly update = jest.fn(async (where: Partial<AuthSession>, changes: Partial<AuthSession>) => {
    for (const row of this.matching(where)) Object.assign(row, changes);
  });
  readonly createQueryBuilder = jest.fn((_alias?: string) => this.builder());

  private matching(where: Partial<AuthSession>): StoredSession[] {
    const { revokedAt, ...fields } = where;
    expect(revokedAt).toEqual(IsNull());
    return [...this.rows.values()].filter(
      (row) =>
        row.revokedAt === null &&
        Object.entries(fields).every(([key, value]) => row[key as keyof AuthSession] === value),
    );
  }

  private builder() {
    const statement = {
      set: {} as Record<string, unknown>,
      where: {} as Record<string, unknown>,
      params: {} as Record<string, unknown>,
    };
    const builder = {
      update: () => builder,
      set: (values: Record<string, unknown>) => {
        statement.set = values;
        return builder;
      },
      where: (condition: Record<string, unknown> | string, parameters: Record<string, unknown> = {}) => {
        if (typeof condition !== 'string') statement.where = condition;
        Object.assign(statement.params, parameters);
        return builder;
      },
      setParameter: (name: string, value: unknown) => {
        statement.params[name] = value;
        return builder;
      },
      getExists: async () => {
        const { sessionId, secretHash } = statement.params as { sessionId: string; secretHash: string };
        return this.rows.get(sessionId)?.usedRefreshTokenHashes.includes(secretHash) ?? false;
      },
      execute: async () => {
        const { set, where, params } = statement;
        this.lastRotation = { set, where, replaced: params.replaced };
        const [row] = this.matching(where);
        if (!row) return { affected: 0 };
        row.usedRefreshTokenHashes = [...row.usedRefreshTokenHashes, params.replaced as string].slice(
          -REMEMBERED_SECRETS,
        );
        row.refreshTokenHash = set.refreshTokenHash as string;
        row.refreshedAt = set.refreshedAt as Date;
        return { affected: 1 };
      },
    };
    return builder;
  }
}

/** Issuing, rotating and ending sessions; the SQL itself is exercised by the e2e tests. */
describe(SessionsService.name, () => {
  const aUser = (fields: Partial<User> = {}) =>
    ({ id: 'u1', isActive: true, credentialsVersion: 2, ...fields }) as User;

  function setUp() {
    const rows = new SessionRows();
    const publish = jest.fn(async (_topic: ChangeTopic, _id: string) => undefined);
    const changes = { publish } as unknown as ChangeFeed;
    const sut = new SessionsService(
      rows as unknown as Repository<AuthSession>,
      config,
      new SessionWrites({ subscribers: [] } as unknown as DataSource, changes),
    );
    let user: User | null = aUser();
    const loadUser = jest.fn(async (_id: string) => user);
    const setUser = (next: User | null) => (user = next);
    return { sut, rows, publish, loadUser, setUser };
  }

  describe('start', () => {
    it('stores only the hash of the secret it hands out, under the user and their credentials version', async () => {
      const { sut, rows } = setUp();
      const before = Date.now();
      const { session, refreshToken } = await sut.start(aUser());
      const [id, secret] = refreshToken.split('.');
      expect(id).toBe(session.id);
      expect(secret.length).toBeGreaterThanOrEqual(43);
      const stored = rows.rows.get(session.id);
      expect(stored).toMatchObject({
        userId: 'u1',
        credentialsVersion: 2,
        refreshTokenHash: sha256(secret),
        refreshedAt: null,
        revokedAt: null,
      });
      expect(JSON.stringify(stored)).not.toContain(secret);
      expect(stored!.expiresAt.getTime()).toBeGreaterThanOrEqual(before + 7 * DAY_MS);
      expect(stored!.expiresAt.getTime()).toBeLessThanOrEqual(Date.now() + 7 * DAY_MS);
    });

    it('hands every session a different secret', async () => {
      const { sut } = setUp();
      const first = await sut.start(aUser());
      const second = await sut.start(aUser());
      expect(secretOf(first.refreshToken)).not.toBe(secretOf(second.refreshToken));
    });
  });

  describe('isUsable', () => {
    const usable = (fields: Partial<AuthSession> = {}) =>
      ({
        id: 's1',
        userId: 'u1',
        credentialsVersion: 2,
        revokedAt: null,
        expiresAt: new Date(Date.now() + DAY_MS),
        ...fields,
      }) as AuthSession;

    it('admits a live session of the user under their current credentials version', () => {
      const { sut } = setUp();
      expect(sut.isUsable(usable(), aUser())).toBe(true);
    });

    it('refuses no session, another user, a revoked or expired session, and a moved credentials version', () => {
      const { sut } = setUp();
      expect(sut.isUsable(null, aUser())).toBe(false);
      expect(sut.isUsable(usable({ userId: 'u2' }), aUser())).toBe(false);
      expect(sut.isUsable(usable({ revokedAt: new Date() }), aUser())).toBe(false);
      expect(sut.isUsable(usable({ expiresAt: new Date(Date.now() - 1000) }), aUser())).toBe(false);
      expect(sut.isUsable(usable(), aUser({ credentialsVersion: 3 }))).toBe(false);
    });
  });

  describe('rotate', () => {
    it('exchanges the refresh token for a new one of the same session, which the next refresh takes', async () => {
      const { sut, rows, loadUser } = setUp();
      const { session, refreshToken } = await sut.start(aUser());
      const rotated = await sut.rotate(refreshToken, loadUser);
      expect(loadUser).toHaveBeenCalledWith('u1');
      expect(rotated?.user).toMatchObject({ id: 'u1' });
      expect(rotated?.issued.session.id).toBe(session.id);
      const next = rotated!.issued.refreshToken;
      expect(next.startsWith(`${session.id}.`)).toBe(true);
      expect(secretOf(next)).not.toBe(secretOf(refreshToken));
      expect(rows.rows.get(session.id)?.refreshTokenHash).toBe(sha256(secretOf(next)));
      await expect(sut.rotate(next, loadUser)).resolves.not.toBeNull();
    });

    it('writes the new hash only if the presented one is still current, remembering the one it replaces', async () => {
      const { sut, rows, loadUser } = setUp();
      const { session, refreshToken } = await sut.start(aUser());
      const rotated = await sut.rotate(refreshToken, loadUser);
      const oldHash = sha256(secretOf(refreshToken));
      expect(rows.lastRotation?.where).toEqual({ id: session.id, refreshTokenHash: oldHash, revokedAt: IsNull() });
      expect(rows.lastRotation?.replaced).toBe(oldHash);
      expect(rows.lastRotation?.set).toMatchObject({
        refreshTokenHash: sha256(secretOf(rotated!.issued.refreshToken)),
        refreshedAt: anyDate,
      });
      // The used hashes are appended in SQL, keeping the newest REMEMBERED_SECRETS of them.
      const usedHashes = rows.lastRotation?.set.usedRefreshTokenHashes as () => string;
      expect(usedHashes()).toContain('array_append(used_refresh_token_hashes, :replaced)');
      expect(usedHashes()).toContain(`- ${REMEMBERED_SECRETS}`);
    });

    it('revokes the session when a secret it already rotated past comes back, and refuses it', async () => {
      const { sut, rows, publish, loadUser } = setUp();
      const { session, refreshToken } = await sut.start(aUser());
      const rotated = await sut.rotate(refreshToken, loadUser);
      await expect(sut.rotate(refreshToken, loadUser)).resolves.toBeNull();
      expect(rows.update).toHaveBeenCalledWith({ id: session.id, revokedAt: IsNull() }, { revokedAt: anyDate });
      expect(publish).toHaveBeenCalledWith(SESSION_CHANGED, session.id);
      // The thief's copy and the owner's current token alike stop working.
      await expect(sut.rotate(rotated!.issued.refreshToken, loadUser)).resolves.toBeNull();
    });

    it('only refuses a secret the session never issued: a guess does not end the session', async () => {
      const { sut, rows, publish, loadUser } = setUp();
      const { session, refreshToken } = await sut.start(aUser());
      await expect(sut.rotate(`${session.id}.${'A'.repeat(43)}`, loadUser)).resolves.toBeNull();
      expect(rows.update).not.toHaveBeenCalled();
      expect(publish).not.toHaveBeenCalled();
      expect(loadUser).not.toHaveBeenCalled();
      await expect(sut.rotate(refreshToken, loadUser)).resolves.not.toBeNull();
    });

    it('revokes the session when a concurrent refresh with the same token won the compare-and-set', async () => {
      const { sut, rows, publish, loadUser } = setUp();
      const { session, refreshToken } = await sut.start(aUser());
      // The other refresh rotates between this one's read and its write.
      loadUser.mockImplementationOnce(async () => {
        rows.rows.get(session.id)!.refreshTokenHash = sha256('the winner');
        return aUser();
      });
      await expect(sut.rotate(refreshToken, loadUser)).resolves.toBeNull();
      expect(rows.rows.get(session.id)?.revokedAt).toBeInstanceOf(Date);
      expect(publish).toHaveBeenCalledWith(SESSION_CHANGED, session.id);
    });

    it.each([
      ['no separator', 'abc'],
      ['a session id that is not a UUID', 'not-a-uuid.secret'],
      ['an empty secret', `${randomUUID()}.`],
      ['an empty session id', '.secret'],
      ['a third part', `${randomUUID()}.secret.extra`],
      ['an empty token', ''],
    ])('refuses a malformed token (%s) without a query', async (_case, token) => {
      const { sut, rows, loadUser } = setUp();
      await expect(sut.rotate(token, loadUser)).resolves.toBeNull();
      expect(rows.findOneBy).not.toHaveBeenCalled();
      expect(rows.createQueryBuilder).not.toHaveBeenCalled();
      expect(loadUser).not.toHaveBeenCalled();
    });

    it('refuses an unknown session and a revoked one, without looking for reuse', async () => {
      const { sut, rows, loadUser } = setUp();
      await expect(sut.rotate(`${randomUUID()}.secret`, loadUser)).resolves.toBeNull();
      const { session, refreshToken } = await sut.start(aUser());
      await sut.revoke(session.id);
      rows.update.mockClear();
      await expect(sut.rotate(refreshToken, loadUser)).resolves.toBeNull();
      expect(rows.createQueryBuilder).not.toHaveBeenCalled();
      expect(rows.update).not.toHaveBeenCalled();
      expect(loadUser).not.toHaveBeenCalled();
    });

    it.each<[string, User | null]>([
      ['the user is gone', null],
      ['the user is inactive', aUser({ isActive: false })],
      ["the user's credentials version moved", aUser({ credentialsVersion: 3 })],
    ])('refuses the right token without rotating when %s', async (_case, user) => {
      const { sut, rows, loadUser, setUser } = setUp();
      const { session, refreshToken } = await sut.start(aUser());
      setUser(user);
      await expect(sut.rotate(refreshToken, loadUser)).resolves.toBeNull();
      expect(rows.createQueryBuilder).not.toHaveBeenCalled();
      expect(rows.rows.get(session.id)?.refreshTokenHash).toBe(sha256(secretOf(refreshToken)));
    });

    it('refuses the right token of an expired session without rotating', async () => {
      const { sut, rows, loadUser } = setUp();
      const { session, refreshToken } = await sut.start(aUser());
      rows.rows.get(session.id)!.expiresAt = new Date(Date.now() - 1000);
      await expect(sut.rotate(refreshToken, loadUser)).resolves.toBeNull();
      expect(rows.createQueryBuilder).not.toHaveBeenCalled();
    });
  });

  describe('ending sessions', () => {
    it('revokes one live session, then tells every process about it', async () => {
      const { sut, rows, publish } = setUp();
      await sut.revoke('s1');
      expect(rows.update).toHaveBeenCalledWith({ id: 's1', revokedAt: IsNull() }, { revokedAt: anyDate });
      expect(publish).toHaveBeenCalledWith(SESSION_CHANGED, 's1');
      expect(rows.update.mock.invocationCallOrder[0]).toBeLessThan(publish.mock.invocationCallOrder[0]);
    });

    it('revokes every live session of a user, then publishes a change of the user', async () => {
      const { sut, rows, publish } = setUp();
      const mine = await sut.start(aUser());
      const theirs = await sut.start(aUser({ id: 'u2' }));
      await sut.revokeAllOf('u1');
      expect(rows.update).toHaveBeenCalledWith({ userId: 'u1', revokedAt: IsNull() }, { revokedAt: anyDate });
      expect(rows.rows.get(mine.session.id)?.revokedAt).toBeInstanceOf(Date);
      expect(rows.rows.get(theirs.session.id)?.revokedAt).toBeNull();
      expect(publish).toHaveBeenCalledWith(USER_CHANGED, 'u1');
      expect(rows.update.mock.invocationCallOrder[0]).toBeLessThan(publish.mock.invocationCallOrder[0]);
    });

    it('carries a live session over to a new credentials version and publishes the session change', async () => {
      const { sut, rows, publish } = setUp();
      const { session } = await sut.start(aUser());
      await sut.carryOver(session.id, 3);
      expect(rows.update).toHaveBeenCalledWith({ id: session.id, revokedAt: IsNull() }, { credentialsVersion: 3 });
      expect(rows.rows.get(session.id)?.credentialsVersion).toBe(3);
      expect(publish).toHaveBeenCalledWith(SESSION_CHANGED, session.id);
      expect(sut.isUsable(rows.rows.get(session.id)!, aUser({ credentialsVersion: 3 }))).toBe(true);
    });
  });
});
