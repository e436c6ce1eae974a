import { jest } from '@jest/globals';
import { type DataSource, IsNull, type Repository } from 'typeorm';
import { DomainError } from '../../common/errors/domain-error.js';
import type { ResponseCache } from '../cache/response-cache.service.js';
import type { User } from '../users/entities/user.entity.js';
import type { Item } from './entities/item.entity.js';
import { ItemWrites } from './item-writes.js';
import { ItemsService } from './items.service.js';

/**
 * Ownership, organization scoping, paging and cache invalidation; the SQL itself is exercised by
 * test/items.e2e-spec.ts and test/organizations.e2e-spec.ts.
 */
describe(ItemsService.name, () => {
  const owner = { id: 'owner', isSuperuser: false } as User;
  const stranger = { id: 'stranger', isSuperuser: false } as User;
  const superuser = { id: 'superuser', isSuperuser: true } as User;
  const stored = () =>
    ({
      id: 'row',
      title: 'Title',
      description: 'About it',
      ownerId: owner.id,
      createdAt: new Date('2030-01-01T00:00:00Z'),
    }) as Item;

  function setUp() {
    /** The list query's builder: records the calls, answers with `page`. */
    let page: { entities: Item[]; raw: { total: string }[] } = { entities: [], raw: [] };
    const query = {
      addSelect: jest.fn((_selection: string, _alias: string) => query),
      orderBy: jest.fn((_sort: string, _order: string) => query),
      addOrderBy: jest.fn((_sort: string, _order: string) => query),
      offset: jest.fn((_skip: number) => query),
      limit: jest.fn((_limit: number) => query),
      where: jest.fn((_condition: string, _parameters?: object) => query),
      andWhere: jest.fn((_condition: string, _parameters?: object) => query),
      getRawAndEntities: jest.fn(async () => page),
    };
    const rows = {
      createQueryBuilder: jest.fn((_alias: string) => query),
      countBy: jest.fn(async (_where: object) => 42),
      findOneBy: jest.fn(async (_where: object): Promise<Item | null> => stored()),
      create: jest.fn((fields: Partial<Item>) => ({ ...fields }) as Item),
      insert: jest.fn(async (row: Item) => {
        // INSERT ... RETURNING fills in the generated columns.
        row.id = 'new';
      }),
      merge: jest.fn((row: Item, changes: Partial<Item>) => Object.assign(row, changes)),
      save: jest.fn(async (row: Item) => row),
      delete: jest.fn(async (_where: object) => ({ affected: 1 })),
    };
    const invalidateOwner = jest.fn(async (_ownerId: string) => undefined);
    const sut = new ItemsService(
      rows as unknown as Repository<Item>,
      new ItemWrites({ subscribers: [] } as unknown as DataSource, { invalidateOwner } as unknown as ResponseCache),
    );
    const setPage = (entities: Item[], total?: number) => {
      page = { entities, raw: entities.map(() => ({ total: String(total) })) };
    };
    return { sut, rows, query, invalidateOwner, setPage };
  }

  describe('listing', () => {
    it("lists only the caller's own items, newest first, from skip and limit", async () => {
      const { sut, rows, query, setPage } = setUp();
      setPage([stored()], 31);
      await expect(sut.listVisible(owner, 30, 10)).resolves.toEqual({ items: [stored()], count: 31 });
      expect(query.where).toHaveBeenCalledWith('item.organizationId IS NULL');
      expect(query.andWhere).toHaveBeenCalledWith('item.ownerId = :ownerId', { ownerId: 'owner' });
      expect(query.orderBy).toHaveBeenCalledWith('item.createdAt', 'DESC');
      expect(query.addOrderBy).toHaveBeenCalledWith('item.id', 'DESC');
      expect(query.offset).toHaveBeenCalledWith(30);
      expect(query.limit).toHaveBeenCalledWith(10);
      // The total came with the page: no second query.
      expect(rows.countBy).not.toHaveBeenCalled();
    });

    it("lists everyone's personal items for a superuser", async () => {
      const { sut, query, setPage } = setUp();
      setPage([stored(), { ...stored(), id: 'other', ownerId: 'someone' }], 2);
      await expect(sut.listVisible(superuser, 0, 100)).resolves.toMatchObject({ count: 2 });
      expect(query.where.mock.calls).toEqual([['item.organizationId IS NULL']]);
      expect(query.andWhere).not.toHaveBeenCalled();
    });

    it("lists an organization's items, whoever created them", async () => {
      const { sut, query, setPage } = setUp();
      setPage([stored()], 1);
      await expect(sut.listInOrganization('org', 0, 100)).resolves.toMatchObject({ count: 1 });
      expect(query.where.mock.calls).toEqual([['item.organizationId = :organizationId', { organizationId: 'org' }]]);
      expect(query.andWhere).not.toHaveBeenCalled();
    });

    it('answers an empty first page with a count of 0 and no further query', async () => {
      const { sut, rows } = setUp();
      await expect(sut.listVisible(owner, 0, 10)).resolves.toEqual({ items: [], count: 0 });
      expect(rows.countBy).not.toHaveBeenCalled();
    });

    it('counts separately for a page past the end, over the rows the caller may see', async () => {
      const { sut, rows } = setUp();
      await expect(sut.listVisible(owner, 500, 10)).resolves.toEqual({ items: [], count: 42 });
      expect(rows.countBy).toHaveBeenLastCalledWith({ organizationId: IsNull(), ownerId: 'owner' });
      await expect(sut.listVisible(superuser, 500, 10)).resolves.toEqual({ items: [], count: 42 });
      expect(rows.countBy).toHaveBeenLastCalledWith({ organizationId: IsNull() });
      await expect(sut.listInOrganization('org', 500, 10)).resolves.toEqual({ items: [], count: 42 });
      expect(rows.countBy).toHaveBeenLastCalledWith({ organizationId: 'org' });
    });
  });

  it("shows an item to its owner and to a superuser, and refuses anyone else's", async () => {
    const { sut, rows } = setUp();
    await expect(sut.findVisible(owner, 'row')).resolves.toMatchObject({ id: 'row' });
    await expect(sut.findVisible(superuser, 'row')).resolves.toMatchObject({ id: 'row' });
    await expect(sut.findVisible(stranger, 'row')).rejects.toEqual(new DomainError('NOT_ENOUGH_PERMISSIONS'));
    expect(rows.findOneBy).toHaveBeenCalledWith({ id: 'row', organizationId: IsNull() });
  });

  it("finds an organization's item within that organization only", async () => {
    const { sut, rows } = setUp();
    await expect(sut.findInOrganization('org', 'row')).resolves.toMatchObject({ id: 'row' });
    expect(rows.findOneBy).toHaveBeenCalledWith({ id: 'row', organizationId: 'org' });
    rows.findOneBy.mockResolvedValue(null);
    await expect(sut.findInOrganization('other', 'row')).rejects.toEqual(new DomainError('ITEM_NOT_FOUND'));
  });

  it('answers ITEM_NOT_FOUND for an unknown id, to a superuser too', async () => {
    const { sut, rows } = setUp();
    rows.findOneBy.mockResolvedValue(null);
    await expect(sut.findVisible(superuser, 'missing')).rejects.toEqual(new DomainError('ITEM_NOT_FOUND'));
    await expect(sut.update(owner, 'missing', { title: 'New' })).rejects.toMatchObject({ code: 'ITEM_NOT_FOUND' });
    await expect(sut.delete(owner, 'missing')).rejects.toMatchObject({ code: 'ITEM_NOT_FOUND' });
    expect(rows.save).not.toHaveBeenCalled();
    expect(rows.delete).not.toHaveBeenCalled();
  });

  it("creates an item owned by the caller and invalidates the caller's cached responses", async () => {
    const { sut, rows, invalidateOwner } = setUp();
    const created = await sut.create(owner, { title: 'Mine' });
    expect(created).toEqual({ id: 'new', title: 'Mine', description: null, ownerId: 'owner', organizationId: null });
    expect(rows.insert).toHaveBeenCalledWith(created);
    expect(invalidateOwner).toHaveBeenCalledWith('owner');
  });

  it('updates only the given fields, clears a description given as null, and invalidates the cache', async () => {
    const { sut, rows, invalidateOwner } = setUp();
    await expect(sut.update(owner, 'row', { description: null })).resolves.toMatchObject({
      title: 'Title',
      description: null,
    });
    await expect(sut.update(owner, 'row', { title: 'Renamed' })).resolves.toMatchObject({
      title: 'Renamed',
      description: 'About it',
    });
    expect(rows.save).toHaveBeenCalledTimes(2);
    expect(invalidateOwner.mock.calls).toEqual([['owner'], ['owner']]);
  });

  it('writes nothing for an update without fields, yet still checks ownership', async () => {
    const { sut, rows, invalidateOwner } = setUp();
    await expect(sut.update(owner, 'row', {})).resolves.toEqual(stored());
    await expect(sut.update(stranger, 'row', {})).rejects.toEqual(new DomainError('NOT_ENOUGH_PERMISSIONS'));
    expect(rows.save).not.toHaveBeenCalled();
    expect(invalidateOwner).not.toHaveBeenCalled();
  });

  it("refuses a stranger's update or delete without writing anything", async () => {
    const { sut, rows, invalidateOwner } = setUp();
    await expect(sut.update(stranger, 'row', { title: 'Mine now' })).rejects.toEqual(
      new DomainError('NOT_ENOUGH_PERMISSIONS'),
    );
    await expect(sut.delete(stranger, 'row')).rejects.toEqual(new DomainError('NOT_ENOUGH_PERMISSIONS'));
    expect(rows.save).not.toHaveBeenCalled();
    expect(rows.delete).not.toHaveBeenCalled();
    expect(invalidateOwner).not.toHaveBeenCalled();
  });

  it("invalidates the owner's cached responses, not the superuser's, when a superuser changes or deletes an item", async () => {
    const { sut, rows, invalidateOwner } = setUp();
    await sut.update(superuser, 'row', { title: 'Moderated' });
    expect(rows.save).toHaveBeenCalledWith(expect.objectContaining({ title: 'Moderated', ownerId: 'owner' }));
    await sut.delete(superuser, 'row');
    expect(rows.delete).toHaveBeenCalledWith({ id: 'row' });
    expect(invalidateOwner.mock.calls).toEqual([['owner'], ['owner']]);
  });

  it('lets owners delete their own items', async () => {
    const { sut, rows, invalidateOwner } = setUp();
    await sut.delete(owner, 'row');
    expect(rows.delete).toHaveBeenCalledWith({ id: 'row' });
    expect(invalidateOwner).toHaveBeenCalledWith('owner');
  });
});
