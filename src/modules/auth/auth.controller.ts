import { Body, Controller, Header, HttpCode, Post, Req } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConsumes,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { DETAIL } from '../../common/errors/domain-error.js';
import { CurrentUser } from '../../common/auth/principal.js';
import { Public } from '../../common/auth/public.decorator.js';
import { AcceptsForm } from '../../common/http/media-type.guard.js';
import { UserResponseDto } from '../users/dto/user-response.dto.js';
import type { User } from '../users/entities/user.entity.js';
import { AuthService } from './auth.service.js';
import { LoginDto } from './dto/login.dto.js';
import { RefreshTokenDto } from './dto/refresh-token.dto.js';
import { TokenResponseDto } from './dto/token-response.dto.js';

@ApiTags('login')
@Controller()
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('login/access-token')
  @Public()
  @AcceptsForm()
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'OAuth2 password login: get an access and a refresh token' })
  @ApiConsumes('application/x-www-form-urlencoded', 'application/json')
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiBadRequestResponse({ description: `${DETAIL.INCORRECT_LOGIN}, or ${DETAIL.INACTIVE_ACCOUNT}` })
  @ApiTooManyRequestsResponse({ description: 'Too many failed attempts; see Retry-After' })
  login(@Req() request: FastifyRequest, @Body() credentials: LoginDto): Promise<TokenResponseDto> {
    return this.auth.login(credentials.username, credentials.password, request.ip);
  }

  @Post('login/test-token')
  @HttpCode(200)
  @ApiOperation({ summary: 'Check an access token: returns its user' })
  @ApiOkResponse({ type: UserResponseDto })
  testToken(@CurrentUser() user: User): UserResponseDto {
    return UserResponseDto.from(user);
  }

  @Post('login/refresh')
  @Public()
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Exchange a refresh token for a new token pair (the old one stops working)' })
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiUnauthorizedResponse({ description: DETAIL.INVALID_CREDENTIALS })
  refresh(@Body() input: RefreshTokenDto): Promise<TokenResponseDto> {
    return this.auth.refresh(input.refresh_token);
  }

  @Post('logout')
  @HttpCode(204)
  @ApiOperation({ summary: "End all of the caller's sessions" })
  @ApiNoContentResponse()
  async logout(@CurrentUser() user: User): Promise<void> {
    await this.auth.logout(user);
  }
}
