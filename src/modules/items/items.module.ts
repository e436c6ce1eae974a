import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CacheModule } from '../cache/cache.module.js';
import { Item } from './entities/item.entity.js';
import { ItemsController } from './items.controller.js';
import { ItemsService } from './items.service.js';
import { ItemWrites } from './item-writes.js';

@Module({
  imports: [TypeOrmModule.forFeature([Item]), CacheModule],
  controllers: [ItemsController],
  providers: [ItemsService, ItemWrites],
})
export class ItemsModule {}
