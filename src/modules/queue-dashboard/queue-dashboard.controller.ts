import { Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SessionOnly } from '../../common/auth/session-only.decorator.js';
import { SuperuserOnly } from '../../common/auth/superuser.guard.js';
import { AppConfig } from '../../config/app-config.js';
import { DASHBOARD_COOKIE, DASHBOARD_PATH } from './queue-dashboard.js';

@ApiTags('jobs')
@Controller('admin')
export class QueueDashboardController {
  constructor(private readonly config: AppConfig) {}

  /**
   * Puts the caller's access token in a cookie scoped to the dashboard, for the browser. A key
   * caller has no access token to hand over, and a key must not sit in a cookie.
   */
  @Post('queues-session')
  @SuperuserOnly()
  @SessionOnly()
  @HttpCode(204)
  @ApiOperation({ summary: `Open the queue dashboard at ${DASHBOARD_PATH} in this browser` })
  @ApiNoContentResponse({ description: 'Cookie set; open the dashboard' })
  openSession(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): void {
    const token = (request.headers.authorization ?? '').replace(/^Bearer\s+/i, '');
    reply.setCookie(DASHBOARD_COOKIE, token, {
      path: DASHBOARD_PATH,
      httpOnly: true,
      sameSite: 'strict',
      maxAge: this.config.accessTokenExpireMinutes * 60,
      secure: this.config.nodeEnv === 'production',
    });
  }
}
