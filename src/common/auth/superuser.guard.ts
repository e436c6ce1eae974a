import { applyDecorators, type CanActivate, type ExecutionContext, Injectable, UseGuards } from '@nestjs/common';
import { ApiForbiddenResponse } from '@nestjs/swagger';
import { DETAIL, DomainError } from '../errors/domain-error.js';
import { principalOf, type SuperuserAware } from './principal.js';

/** Lets only superusers through; runs after the global authentication guard. */
@Injectable()
export class SuperuserGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const user = principalOf(context)?.user as SuperuserAware | undefined;
    if (!user?.isSuperuser) throw new DomainError('NOT_ENOUGH_PRIVILEGES');
    return true;
  }
}

/** Restricts a route (or a controller) to superusers. */
export const SuperuserOnly = () =>
  applyDecorators(UseGuards(SuperuserGuard), ApiForbiddenResponse({ description: DETAIL.NOT_ENOUGH_PRIVILEGES }));
