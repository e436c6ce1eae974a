import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, type Repository } from 'typeorm';
import { DomainError } from '../../common/errors/domain-error.js';
import type { User } from '../users/entities/user.entity.js';
import type { CreateItemDto } from './dto/create-item.dto.js';
import type { UpdateItemDto } from './dto/update-item.dto.js';
import { Item } from './entities/item.entity.js';
import { ItemWrites } from './item-writes.js';

export interface ItemsPage {
  items: Item[];
  count: number;
}

/**
 * Personal items belong to their owner; superusers see and change everyone's. An organization's
 * items are reached through the organization only (the caller's role there is checked by the
 * organization routes), never through the personal routes.
 */
@Injectable()
export class ItemsService {
  constructor(
    @InjectRepository(Item) private readonly items: Repository<Item>,
    private readonly writes: ItemWrites,
  ) {}

  async listVisible(caller: User, skip: number, limit: number): Promise<ItemsPage> {
    return this.page(
      caller.isSuperuser ? { organizationId: null } : { organizationId: null, ownerId: caller.id },
      skip,
      limit,
    );
  }

  /** An organization's items, newest first. */
  async listInOrganization(organizationId: string, skip: number, limit: number): Promise<ItemsPage> {
    return this.page({ organizationId }, skip, limit);
  }

  private async page(
    scope: { organizationId: string | null; ownerId?: string },
    skip: number,
    limit: number,
  ): Promise<ItemsPage> {
    // The page and the total in one statement: a second COUNT query doubled the database's work.
    const query = this.items
      .createQueryBuilder('item')
      .addSelect('COUNT(*) OVER ()', 'total')
      .orderBy('item.createdAt', 'DESC')
      .addOrderBy('item.id', 'DESC')
      .offset(skip)
      .limit(limit);
    if (scope.organizationId === null) query.where('item.organizationId IS NULL');
    else query.where('item.organizationId = :organizationId', { organizationId: scope.organizationId });
    if (scope.ownerId !== undefined) query.andWhere('item.ownerId = :ownerId', { ownerId: scope.ownerId });
    const { entities, raw } = await query.getRawAndEntities<{ total: string }>();
    if (entities.length > 0) return { items: entities, count: Number(raw[0].total) };
    // A page past the end has no row to carry the total.
    const where = {
      organizationId: scope.organizationId ?? IsNull(),
      ...(scope.ownerId ? { ownerId: scope.ownerId } : {}),
    };
    const count = skip === 0 ? 0 : await this.items.countBy(where);
    return { items: [], count };
  }

  async findVisible(caller: User, id: string): Promise<Item> {
    const item = await this.items.findOneBy({ id, organizationId: IsNull() });
    if (!item) throw new DomainError('ITEM_NOT_FOUND');
    if (!caller.isSuperuser && item.ownerId !== caller.id) throw new DomainError('NOT_ENOUGH_PERMISSIONS');
    return item;
  }

  /** An item of the organization; an id of another organization's (or a personal) item is not found. */
  async findInOrganization(organizationId: string, id: string): Promise<Item> {
    const item = await this.items.findOneBy({ id, organizationId });
    if (!item) throw new DomainError('ITEM_NOT_FOUND');
    return item;
  }

  async create(caller: User, input: CreateItemDto): Promise<Item> {
    // One INSERT ... RETURNING, which fills in the id and timestamps: save() would wrap it in a
    // transaction (two more round trips) and first work out what changed.
    return this.insert(caller, null, input);
  }

  /** An item of the organization, created by the caller. */
  async createInOrganization(caller: User, organizationId: string, input: CreateItemDto): Promise<Item> {
    return this.insert(caller, organizationId, input);
  }

  private async insert(caller: User, organizationId: string | null, input: CreateItemDto): Promise<Item> {
    const item = this.items.create({
      title: input.title,
      description: input.description ?? null,
      ownerId: caller.id,
      organizationId,
    });
    await this.writes.change(item.ownerId, () => this.items.insert(item));
    return item;
  }

  async update(caller: User, id: string, input: UpdateItemDto): Promise<Item> {
    return this.applyChanges(await this.findVisible(caller, id), input);
  }

  async updateInOrganization(organizationId: string, id: string, input: UpdateItemDto): Promise<Item> {
    return this.applyChanges(await this.findInOrganization(organizationId, id), input);
  }

  private async applyChanges(item: Item, input: UpdateItemDto): Promise<Item> {
    const changes: Partial<Item> = {};
    if (input.title !== undefined) changes.title = input.title;
    if (input.description !== undefined) changes.description = input.description;
    if (Object.keys(changes).length === 0) return item;
    return this.writes.change(item.ownerId, () => this.items.save(this.items.merge(item, changes)));
  }

  async delete(caller: User, id: string): Promise<void> {
    await this.remove(await this.findVisible(caller, id));
  }

  async deleteInOrganization(organizationId: string, id: string): Promise<void> {
    await this.remove(await this.findInOrganization(organizationId, id));
  }

  private async remove(item: Item): Promise<void> {
    await this.writes.change(item.ownerId, () => this.items.delete({ id: item.id }));
  }
}
