import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser } from '../../common/auth/principal.js';
import { PageQueryDto } from '../../common/http/page-query.dto.js';
import { UuidParamPipe } from '../../common/validation/uuid-param.pipe.js';
import { CacheResponse } from '../cache/cache-response.interceptor.js';
import type { User } from '../users/entities/user.entity.js';
import { CreateItemDto } from './dto/create-item.dto.js';
import { ItemResponseDto, ItemsPageDto } from './dto/item-response.dto.js';
import { UpdateItemDto } from './dto/update-item.dto.js';
import { ItemsService } from './items.service.js';

@ApiTags('items')
@Controller('items')
export class ItemsController {
  constructor(private readonly items: ItemsService) {}

  @Get()
  @CacheResponse()
  @ApiOperation({ summary: 'List your items (all items for a superuser), newest first' })
  @ApiOkResponse({ type: ItemsPageDto })
  async list(@CurrentUser() caller: User, @Query() page: PageQueryDto): Promise<ItemsPageDto> {
    const { items, count } = await this.items.listVisible(caller, page.skip, page.limit);
    return { data: items.map(ItemResponseDto.from), count };
  }

  @Post()
  @ApiOperation({ summary: 'Create an item owned by the caller' })
  @ApiCreatedResponse({ type: ItemResponseDto })
  async create(@CurrentUser() caller: User, @Body() input: CreateItemDto): Promise<ItemResponseDto> {
    return ItemResponseDto.from(await this.items.create(caller, input));
  }

  @Get(':id')
  @CacheResponse()
  @ApiOperation({ summary: 'Read an item' })
  @ApiOkResponse({ type: ItemResponseDto })
  async findOne(@CurrentUser() caller: User, @Param('id', UuidParamPipe) id: string): Promise<ItemResponseDto> {
    return ItemResponseDto.from(await this.items.findVisible(caller, id));
  }

  @Put(':id')
  @ApiOperation({ summary: 'Update an item (fields left out stay as they are)' })
  @ApiOkResponse({ type: ItemResponseDto })
  async update(
    @CurrentUser() caller: User,
    @Param('id', UuidParamPipe) id: string,
    @Body() input: UpdateItemDto,
  ): Promise<ItemResponseDto> {
    return ItemResponseDto.from(await this.items.update(caller, id, input));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete an item' })
  @ApiNoContentResponse()
  async delete(@CurrentUser() caller: User, @Param('id', UuidParamPipe) id: string): Promise<void> {
    await this.items.delete(caller, id);
  }
}
