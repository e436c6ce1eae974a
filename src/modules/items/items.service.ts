import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
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

/** Items belong to their owner; superusers see and change everyone's. */
@Injectable()
export class ItemsService {
  constructor(
    @InjectRepository(Item) private readonly items: Repository<Item>,
    private readonly writes: ItemWrites,
  ) {}

  async listVisible(caller: User, skip: number, limit: number): Promise<ItemsPage> {
    // The page and the total in one statement: a second COUNT query doubled the database's work.
    const query = this.items
      .createQueryBuilder('item')
      .addSelect('COUNT(*) OVER ()', 'total')
      .orderBy('item.createdAt', 'DESC')
      .addOrderBy('item.id', 'DESC')
      .offset(skip)
      .limit(limit);
    if (!caller.isSuperuser) query.where('item.ownerId = :ownerId', { ownerId: caller.id });
    const { entities, raw } = await query.getRawAndEntities<{ total: string }>();
    if (entities.length > 0) return { items: entities, count: Number(raw[0].total) };
    // A page past the end has no row to carry the total.
    const count = skip === 0 ? 0 : await this.items.countBy(caller.isSuperuser ? {} : { ownerId: caller.id });
    return { items: [], count };
  }

  async findVisible(caller: User, id: string): Promise<Item> {
    const item = await this.items.findOneBy({ id });
    if (!item) throw new DomainError('ITEM_NOT_FOUND');
    if (!caller.isSuperuser && item.ownerId !== caller.id) throw new DomainError('NOT_ENOUGH_PERMISSIONS');
    return item;
  }

  async create(caller: User, input: CreateItemDto): Promise<Item> {
    // One INSERT ... RETURNING, which fills in the id and timestamps: save() would wrap it in a
    // transaction (two more round trips) and first work out what changed.
    const item = this.items.create({ title: input.title, description: input.description ?? null, ownerId: caller.id });
    await this.writes.change(item.ownerId, () => this.items.insert(item));
    return item;
  }

  async update(caller: User, id: string, input: UpdateItemDto): Promise<Item> {
    const item = await this.findVisible(caller, id);
    const changes: Partial<Item> = {};
    if (input.title !== undefined) changes.title = input.title;
    if (input.description !== undefined) changes.description = input.description;
    if (Object.keys(changes).length === 0) return item;
    return this.writes.change(item.ownerId, () => this.items.save(this.items.merge(item, changes)));
  }

  async delete(caller: User, id: string): Promise<void> {
    const item = await this.findVisible(caller, id);
    await this.writes.change(item.ownerId, () => this.items.delete({ id: item.id }));
  }
}
