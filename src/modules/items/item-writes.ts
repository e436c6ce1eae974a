import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { WritePath } from '../../database/write-path.js';
import { ResponseCache } from '../cache/response-cache.service.js';
import { Item } from './entities/item.entity.js';

/** Every write to `items` rows: each one voids the cached responses of the owner's items. */
@Injectable()
export class ItemWrites extends WritePath<Item> {
  constructor(
    @InjectDataSource() dataSource: DataSource,
    private readonly cache: ResponseCache,
  ) {
    super(dataSource, Item);
  }

  async change<T>(ownerId: string, work: () => Promise<T>): Promise<T> {
    const result = await this.run(work);
    await this.cache.invalidateOwner(ownerId);
    return result;
  }
}
