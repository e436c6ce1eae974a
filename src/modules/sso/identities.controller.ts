import { Controller, Delete, Get, HttpCode, Param } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentUser } from '../../common/auth/principal.js';
import { SessionOnly } from '../../common/auth/session-only.decorator.js';
import { DETAIL } from '../../common/errors/domain-error.js';
import { UuidParamPipe } from '../../common/validation/uuid-param.pipe.js';
import type { User } from '../users/entities/user.entity.js';
import { IdentitiesPageDto, IdentityResponseDto } from './dto/identity-response.dto.js';
import { IdentitiesService } from './identities.service.js';

/** The caller's identities at OpenID providers. */
@ApiTags('users')
@Controller('users/me/identities')
export class IdentitiesController {
  constructor(private readonly identities: IdentitiesService) {}

  @Get()
  @ApiOperation({ summary: "The caller's linked single sign-on identities" })
  @ApiOkResponse({ type: IdentitiesPageDto })
  async list(@CurrentUser() user: User): Promise<IdentitiesPageDto> {
    const identities = await this.identities.list(user);
    return { data: identities.map(IdentityResponseDto.from), count: identities.length };
  }

  @Delete(':id')
  @SessionOnly()
  @HttpCode(204)
  @ApiOperation({ summary: 'Unlink an identity (not the last one of an account without a password)' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ description: DETAIL.IDENTITY_NOT_FOUND })
  @ApiBadRequestResponse({ description: DETAIL.LAST_SIGN_IN_METHOD })
  async unlink(@CurrentUser() user: User, @Param('id', UuidParamPipe) id: string): Promise<void> {
    await this.identities.unlink(user, id);
  }
}
