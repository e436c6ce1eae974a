import { ApiProperty } from '@nestjs/swagger';
import type { Item } from '../entities/item.entity.js';

export class ItemResponseDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'Buy milk' })
  title: string;

  @ApiProperty({ type: String, nullable: true })
  description: string | null;

  @ApiProperty({ format: 'uuid' })
  owner_id: string;

  @ApiProperty({ format: 'date-time' })
  created_at: string;

  @ApiProperty({ format: 'date-time' })
  updated_at: string;

  static from(this: void, item: Item): ItemResponseDto {
    return {
      id: item.id,
      title: item.title,
      description: item.description,
      owner_id: item.ownerId,
      created_at: item.createdAt.toISOString(),
      updated_at: item.updatedAt.toISOString(),
    };
  }
}

export class ItemsPageDto {
  @ApiProperty({ type: [ItemResponseDto] })
  data: ItemResponseDto[];

  @ApiProperty({ description: 'All items visible to the caller, ignoring skip and limit' })
  count: number;
}

export class OrganizationItemResponseDto extends ItemResponseDto {
  @ApiProperty({ format: 'uuid' })
  organization_id: string;

  static fromOrganizationItem(this: void, item: Item): OrganizationItemResponseDto {
    return { ...ItemResponseDto.from(item), organization_id: item.organizationId! };
  }
}

export class OrganizationItemsPageDto {
  @ApiProperty({ type: [OrganizationItemResponseDto] })
  data: OrganizationItemResponseDto[];

  @ApiProperty({ description: "All the organization's items, ignoring skip and limit" })
  count: number;
}
