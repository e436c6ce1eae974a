import { Body, Controller, Header, HttpCode, Param, Post, Req } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Public } from '../../common/auth/public.decorator.js';
import { SuperuserOnly } from '../../common/auth/superuser.guard.js';
import { MessageDto } from '../../common/http/message.dto.js';
import { ResetPasswordDto } from './dto/reset-password.dto.js';
import { PasswordRecoveryService } from './password-recovery.service.js';

@ApiTags('login')
@Controller()
export class PasswordRecoveryController {
  constructor(private readonly recovery: PasswordRecoveryService) {}

  @Post('password-recovery/:email')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Email a password reset link (same answer for unknown emails)' })
  @ApiOkResponse({ type: MessageDto })
  @ApiTooManyRequestsResponse({ description: 'Too many requests; see Retry-After' })
  requestReset(@Req() request: FastifyRequest, @Param('email') email: string): Promise<MessageDto> {
    return this.recovery.requestReset(email, request.ip);
  }

  @Post('reset-password')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Set a new password with the token from the recovery email' })
  @ApiOkResponse({ type: MessageDto })
  @ApiBadRequestResponse({ description: 'Invalid token, or Inactive user' })
  resetPassword(@Body() input: ResetPasswordDto): Promise<MessageDto> {
    return this.recovery.resetPassword(input.token, input.new_password);
  }

  @Post('password-recovery-html-content/:email')
  @SuperuserOnly()
  @HttpCode(200)
  @Header('Content-Type', 'text/html; charset=utf-8')
  @ApiOperation({ summary: 'Preview the password recovery email of a user' })
  @ApiProduces('text/html')
  @ApiOkResponse({ description: 'The rendered email', schema: { type: 'string' } })
  previewResetEmail(@Param('email') email: string): Promise<string> {
    return this.recovery.previewResetEmail(email);
  }
}
