import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { CurrentUser } from '../../common/auth/principal.js';
import { Public } from '../../common/auth/public.decorator.js';
import { DETAIL } from '../../common/errors/domain-error.js';
import { MessageDto } from '../../common/http/message.dto.js';
import type { User } from '../users/entities/user.entity.js';
import { VerifyEmailDto } from './dto/verify-email.dto.js';
import { EmailVerificationService } from './email-verification.service.js';

@ApiTags('login')
@Controller()
export class EmailVerificationController {
  constructor(private readonly verification: EmailVerificationService) {}

  @Post('verify-email')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Verify an email address with the token from the verification email' })
  @ApiOkResponse({ type: MessageDto })
  @ApiBadRequestResponse({
    description: `${DETAIL.INVALID_TOKEN} (bad, used, expired, or for an address since changed)`,
  })
  verify(@Body() input: VerifyEmailDto): Promise<MessageDto> {
    return this.verification.verify(input.token);
  }

  @Post('users/me/verification-email')
  @HttpCode(202)
  @ApiTags('users')
  @ApiOperation({ summary: "Email a new verification link to the current user's address" })
  @ApiAcceptedResponse({ type: MessageDto })
  @ApiBadRequestResponse({ description: DETAIL.EMAIL_ALREADY_VERIFIED })
  @ApiTooManyRequestsResponse({ description: 'Too many requests; see Retry-After' })
  resend(@Req() request: FastifyRequest, @CurrentUser() user: User): Promise<MessageDto> {
    return this.verification.resend(user, request.ip);
  }
}
