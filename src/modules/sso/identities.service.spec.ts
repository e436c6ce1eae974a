import { jest } from '@jest/globals';
import type { DataSource, Repository } from 'typeorm';
import { DomainError } from '../../common/errors/domain-error.js';
import type { AppConfig } from '../../config/app-config.js';
import type { User } from '../users/entities/user.entity.js';
import type { UsersService } from '../users/users.service.js';
import type { UserIdentity } from './entities/user-identity.entity.js';
import { IdentitiesService, type ProvenIdentity } from './identities.service.js';

const proven: ProvenIdentity = {
  provider: 'acme',
  issuer: 'https://login.acme.example',
  subject: 'sub-1',
  email: 'ada@example.com',
  fullName: 'Ada',
};
const account = (id: string, fields: Partial<User> = {}) => ({ id, isVerified: true, ...fields }) as User;

/** How a sign-in finds its account; the SQL and the races on the real database are test/sso.e2e-spec.ts's. */
describe(IdentitiesService.name, () => {
  function setUp({ autoCreate = true } = {}) {
    const linked: UserIdentity[] = [];
    const accounts = new Map<string, User>();
    const inserted = { raw: [{ id: 'identity-new' }] as unknown[] };
    const builder = {
      insert: jest.fn(() => builder),
      values: jest.fn((_values: Partial<UserIdentity>) => builder),
      orIgnore: jest.fn(() => builder),
      execute: jest.fn(async () => inserted),
    };
    const identities = {
      findOneBy: jest.fn(
        async (where: Partial<UserIdentity>) =>
          linked.find((row) => row.issuer === where.issuer && row.subject === where.subject) ?? null,
      ),
      findOneByOrFail: jest.fn(async (where: Partial<UserIdentity>) =>
        linked.find((row) => row.issuer === where.issuer && row.subject === where.subject)!,
      ),
      update: jest.fn(async (_where: object, _values: object) => ({ affected: 1 })),
      createQueryBuilder: jest.fn(() => builder),
    };
    const users = {
      findById: jest.fn(async (id: string) => accounts.get(id) ?? null),
      findByEmail: jest.fn(
        async (email: string) => [...accounts.values()].find((user) => user.email === email) ?? null,
      ),
      createFromIdentity: jest.fn(async (email: string, _fullName: string | null) => {
        const created = account('created', { email });
        accounts.set(created.id, created);
        return created;
      }),
      confirmEmailByIdentity: jest.fn(async (user: User) => ({ ...user, isVerified: true })),
    };
    const sut = new IdentitiesService(
      identities as unknown as Repository<UserIdentity>,
      {} as DataSource,
      users as unknown as UsersService,
      { oidcAutoCreate: autoCreate } as AppConfig,
    );
    return { sut, linked, accounts, inserted, builder, identities, users };
  }

  it('finds a linked identity by issuer and subject, whatever its email now, and records the sign-in', async () => {
    const { sut, linked, accounts, identities, users } = setUp();
    accounts.set('u1', account('u1', { email: 'old@example.com' }));
    linked.push({ id: 'i1', userId: 'u1', issuer: proven.issuer, subject: proven.subject } as UserIdentity);
    await expect(sut.accountFor({ ...proven, email: 'renamed@example.com' })).resolves.toMatchObject({ id: 'u1' });
    expect(users.findByEmail).not.toHaveBeenCalled();
    expect(identities.update).toHaveBeenCalledWith(
      { id: 'i1' },
      { email: 'renamed@example.com', lastSignInAt: expect.any(Date) as unknown },
    );
  });

  it('links a first sign-in to the account with that email, confirming its address', async () => {
    const { sut, accounts, builder, users } = setUp();
    accounts.set('u1', account('u1', { email: proven.email, isVerified: false }));
    await expect(sut.accountFor(proven)).resolves.toMatchObject({ id: 'u1', isVerified: true });
    expect(builder.values).toHaveBeenCalledWith(
      expect.objectContaining({ userId: 'u1', issuer: proven.issuer, subject: proven.subject, provider: 'acme' }),
    );
    expect(builder.orIgnore).toHaveBeenCalled();
    expect(users.createFromIdentity).not.toHaveBeenCalled();
  });

  it('creates an account for a new email, or refuses with 403 when OIDC_AUTO_CREATE is off', async () => {
    const open = setUp();
    await expect(open.sut.accountFor(proven)).resolves.toMatchObject({ id: 'created' });
    expect(open.users.createFromIdentity).toHaveBeenCalledWith(proven.email, 'Ada');

    const closed = setUp({ autoCreate: false });
    await expect(closed.sut.accountFor(proven)).rejects.toEqual(new DomainError('NO_ACCOUNT_FOR_IDENTITY'));
    expect(closed.builder.execute).not.toHaveBeenCalled();
  });

  it('links to the account another request made meanwhile for the same email', async () => {
    const { sut, accounts, users } = setUp();
    users.createFromIdentity.mockImplementationOnce(async () => {
      accounts.set('other', account('other', { email: proven.email }));
      throw new DomainError('EMAIL_TAKEN_ON_SIGNUP');
    });
    await expect(sut.accountFor(proven)).resolves.toMatchObject({ id: 'other' });
  });

  it("signs in to the winner's account when a concurrent first sign-in linked the identity first", async () => {
    const { sut, linked, accounts, inserted, identities, users } = setUp();
    accounts.set('winner', account('winner'));
    // The first lookup ran before the winner's insert; this insert then found the row there.
    identities.findOneBy.mockResolvedValueOnce(null);
    inserted.raw = [];
    linked.push({ id: 'i1', userId: 'winner', issuer: proven.issuer, subject: proven.subject } as UserIdentity);
    await expect(sut.accountFor(proven)).resolves.toMatchObject({ id: 'winner' });
    expect(users.confirmEmailByIdentity).not.toHaveBeenCalled();
  });
});
