import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentUser } from '../../common/auth/principal.js';
import { SessionOnly } from '../../common/auth/session-only.decorator.js';
import { PageQueryDto } from '../../common/http/page-query.dto.js';
import { UuidParamPipe } from '../../common/validation/uuid-param.pipe.js';
import type { User } from '../users/entities/user.entity.js';
import { DETAIL } from '../../common/errors/domain-error.js';
import { ApiKeysService } from './api-keys.service.js';
import { ApiKeyResponseDto, ApiKeysPageDto, CreatedApiKeyDto } from './dto/api-key-response.dto.js';
import { CreateApiKeyDto } from './dto/create-api-key.dto.js';

/** A user's API keys under /users/me, and any user's for a superuser under /users/{user_id}. */
@ApiTags('api-keys')
@Controller('users')
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Post('me/api-keys')
  @SessionOnly()
  @ApiOperation({ summary: 'Create an API key (its secret is in this response only)' })
  @ApiCreatedResponse({ type: CreatedApiKeyDto })
  async create(@CurrentUser() caller: User, @Body() input: CreateApiKeyDto): Promise<CreatedApiKeyDto> {
    const { apiKey, secret } = await this.apiKeys.create(caller, input);
    return CreatedApiKeyDto.withSecret(apiKey, secret);
  }

  @Get('me/api-keys')
  @ApiOperation({ summary: 'List your API keys, newest first (never their secrets)' })
  @ApiOkResponse({ type: ApiKeysPageDto })
  listMine(@CurrentUser() caller: User, @Query() page: PageQueryDto): Promise<ApiKeysPageDto> {
    return this.list(caller, caller.id, page);
  }

  @Delete('me/api-keys/:key_id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke one of your API keys' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ description: DETAIL.API_KEY_NOT_FOUND })
  async revokeMine(@CurrentUser() caller: User, @Param('key_id', UuidParamPipe) keyId: string): Promise<void> {
    await this.apiKeys.revoke(caller, caller.id, keyId);
  }

  @Get(':user_id/api-keys')
  @ApiOperation({ summary: "List a user's API keys (your own, or anyone's as a superuser)" })
  @ApiOkResponse({ type: ApiKeysPageDto })
  listOf(
    @CurrentUser() caller: User,
    @Param('user_id', UuidParamPipe) userId: string,
    @Query() page: PageQueryDto,
  ): Promise<ApiKeysPageDto> {
    return this.list(caller, userId, page);
  }

  @Delete(':user_id/api-keys/:key_id')
  @HttpCode(204)
  @ApiOperation({ summary: "Revoke a user's API key (your own, or anyone's as a superuser)" })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ description: `${DETAIL.API_KEY_NOT_FOUND}, or ${DETAIL.USER_NOT_FOUND}` })
  async revoke(
    @CurrentUser() caller: User,
    @Param('user_id', UuidParamPipe) userId: string,
    @Param('key_id', UuidParamPipe) keyId: string,
  ): Promise<void> {
    await this.apiKeys.revoke(caller, userId, keyId);
  }

  private async list(caller: User, userId: string, page: PageQueryDto): Promise<ApiKeysPageDto> {
    const { keys, count } = await this.apiKeys.listOf(caller, userId, page.skip, page.limit);
    return { data: keys.map(ApiKeyResponseDto.from), count };
  }
}
