import { Body, Controller, Patch } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentSessionId, CurrentUser } from '../../common/auth/principal.js';
import { SessionOnly } from '../../common/auth/session-only.guard.js';
import { MessageDto } from '../../common/http/message.dto.js';
import type { User } from '../users/entities/user.entity.js';
import { AuthService } from './auth.service.js';
import { UpdatePasswordDto } from './dto/update-password.dto.js';

/** The credential routes under /users: they end sessions, which the auth module owns. */
@ApiTags('users')
@Controller('users')
export class AccountController {
  constructor(private readonly auth: AuthService) {}

  @Patch('me/password')
  @SessionOnly()
  @ApiOperation({ summary: "Change the current user's password (other sessions end)" })
  @ApiOkResponse({ type: MessageDto })
  @ApiBadRequestResponse({ description: 'Incorrect password, or the new password equals the current one' })
  changePassword(@CurrentUser() user: User, @CurrentSessionId() sessionId: string, @Body() input: UpdatePasswordDto): Promise<MessageDto> {
    return this.auth.changePassword(user, sessionId, input);
  }
}
