import { Body, Controller, Get, Header, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiResponse,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../../common/auth/public.decorator.js';
import { DETAIL } from '../../common/errors/domain-error.js';
import { AppConfig } from '../../config/app-config.js';
import { TokenResponseDto } from '../auth/dto/token-response.dto.js';
import { ExchangeCodeDto } from './dto/exchange-code.dto.js';
import { ProviderResponseDto } from './dto/provider-response.dto.js';
import { OidcProviders } from './oidc-providers.js';
import { FLOW_TTL_SECONDS, SsoService } from './sso.service.js';

/** Binds a sign-in to the browser that started it: a forged callback from elsewhere lacks it. */
const BROWSER_COOKIE = 'sso_flow';
const COOKIE_PATH = '/api/v1/login/oidc';

@ApiTags('login')
@Public()
@Controller('login/oidc')
export class SsoController {
  constructor(
    private readonly sso: SsoService,
    private readonly providers: OidcProviders,
    private readonly config: AppConfig,
  ) {}

  @Get('providers')
  @ApiOperation({ summary: 'The OpenID Connect providers users may sign in with (empty when none is configured)' })
  @ApiOkResponse({ type: [ProviderResponseDto] })
  listProviders(): ProviderResponseDto[] {
    return this.providers.list().map(ProviderResponseDto.from);
  }

  @Get(':provider')
  @ApiOperation({
    summary:
      'Start single sign-on: a browser navigation, redirected to the provider (authorization code flow with PKCE)',
  })
  @ApiResponse({
    status: 302,
    description: 'To the provider; or to `{FRONTEND_HOST}/login/callback#error=unavailable`',
  })
  @ApiNotFoundResponse({ description: DETAIL.PROVIDER_NOT_FOUND })
  @ApiTooManyRequestsResponse({ description: 'Too many unfinished sign-ins from this address; see Retry-After' })
  async begin(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Param('provider') provider: string,
  ): Promise<void> {
    const { location, browserSecret } = await this.sso.begin(provider, request.ip);
    if (browserSecret) {
      reply.setCookie(BROWSER_COOKIE, browserSecret, {
        path: COOKIE_PATH,
        httpOnly: true,
        // Lax: sent on the provider's top-level redirect back, not on cross-site subrequests.
        sameSite: 'lax',
        secure: this.config.apiPublicUrl.startsWith('https:'),
        maxAge: FLOW_TTL_SECONDS,
      });
    }
    await reply.header('Cache-Control', 'no-store').redirect(location, 302);
  }

  @Get(':provider/callback')
  @ApiOperation({
    summary: "The provider's redirect back (register `{API_PUBLIC_URL}/api/v1/login/oidc/{provider}/callback` with it)",
  })
  @ApiResponse({
    status: 302,
    description:
      'To `{FRONTEND_HOST}/login/callback#code=<one-time code>`, or `#error=<reason>`: invalid_state, access_denied, email_not_verified, login_failed, unavailable',
  })
  @ApiNotFoundResponse({ description: DETAIL.PROVIDER_NOT_FOUND })
  async finish(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Param('provider') provider: string,
  ): Promise<void> {
    const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?') + 1) : '';
    const location = await this.sso.finish(provider, query, request.cookies[BROWSER_COOKIE]);
    reply.clearCookie(BROWSER_COOKIE, { path: COOKIE_PATH });
    await reply.header('Cache-Control', 'no-store').redirect(location, 302);
  }

  @Post('exchange')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Exchange the one-time code of a sign-in for an access and a refresh token' })
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiBadRequestResponse({
    description: `${DETAIL.INVALID_CODE} (unknown, used, or older than 60 s); ${DETAIL.INACTIVE_ACCOUNT}`,
  })
  @ApiForbiddenResponse({ description: `${DETAIL.NO_ACCOUNT_FOR_IDENTITY} (OIDC_AUTO_CREATE=false)` })
  @ApiServiceUnavailableResponse({ description: 'Redis, which holds the codes, is unreachable' })
  exchange(@Body() input: ExchangeCodeDto): Promise<TokenResponseDto> {
    return this.sso.exchange(input.code);
  }
}
