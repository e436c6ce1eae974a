import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CacheModule } from '../cache/cache.module.js';
import { Item } from './entities/item.entity.js';
import { ItemsController } from './items.controller.js';
import { OrganizationItemsController } from './organization-items.controller.js';
import { OrganizationsModule } from '../organizations/organizations.module.js';
import { ItemsService } from './items.service.js';
import { ItemWrites } from './item-writes.js';

@Module({
  imports: [TypeOrmModule.forFeature([Item]), CacheModule, OrganizationsModule],
  controllers: [ItemsController, OrganizationItemsController],
  providers: [ItemsService, ItemWrites],
})
export class ItemsModule {}
