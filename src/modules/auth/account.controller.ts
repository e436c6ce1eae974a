import { Body, Controller, Patch, Req } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { CurrentSessionId, CurrentUser } from '../../common/auth/principal.js';
import { SessionOnly } from '../../common/auth/session-only.decorator.js';
import { MessageDto } from '../../common/http/message.dto.js';
import { UpdateMeDto } from '../users/dto/update-me.dto.js';
import { UserResponseDto } from '../users/dto/user-response.dto.js';
import type { User } from '../users/entities/user.entity.js';
import { AuthService } from './auth.service.js';
import { UpdatePasswordDto } from './dto/update-password.dto.js';

/** The credential routes under /users (the password, the email): they end sessions, which the auth module owns. */
@ApiTags('users')
@Controller('users')
export class AccountController {
  constructor(private readonly auth: AuthService) {}

  @Patch('me')
  @SessionOnly()
  @ApiOperation({ summary: 'Update the current user (a new email ends the other sessions)' })
  @ApiOkResponse({ type: UserResponseDto })
  @ApiConflictResponse({ description: 'User with this email already exists' })
  async updateMe(
    @CurrentUser() user: User,
    @CurrentSessionId() sessionId: string,
    @Body() input: UpdateMeDto,
  ): Promise<UserResponseDto> {
    return UserResponseDto.from(await this.auth.updateProfile(user, sessionId, input));
  }

  @Patch('me/password')
  @SessionOnly()
  @ApiOperation({ summary: "Change the current user's password (other sessions end)" })
  @ApiOkResponse({ type: MessageDto })
  @ApiBadRequestResponse({ description: 'Incorrect password, or the new password equals the current one' })
  @ApiTooManyRequestsResponse({ description: 'Too many wrong current passwords; see Retry-After' })
  changePassword(
    @Req() request: FastifyRequest,
    @CurrentUser() user: User,
    @CurrentSessionId() sessionId: string,
    @Body() input: UpdatePasswordDto,
  ): Promise<MessageDto> {
    return this.auth.changePassword(user, sessionId, input, request.ip);
  }
}
