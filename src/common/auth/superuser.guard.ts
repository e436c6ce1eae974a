import { applyDecorators, type CanActivate, type ExecutionContext, Injectable, UseGuards } from '@nestjs/common';
import { ApiForbiddenResponse } from '@nestjs/swagger';
import { DomainError } from '../errors/domain-error.js';
import { principalOf, type SuperuserAware } from './principal.js';

export const NOT_ENOUGH_PRIVILEGES = "The user doesn't have enough privileges";

/** Lets only superusers through; runs after the global authentication guard. */
@Injectable()
export class SuperuserGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const user = principalOf(context)?.user as SuperuserAware | undefined;
    if (!user?.isSuperuser) throw new DomainError(403, NOT_ENOUGH_PRIVILEGES);
    return true;
  }
}

/** Restricts a route (or a controller) to superusers. */
export const SuperuserOnly = () => applyDecorators(UseGuards(SuperuserGuard), ApiForbiddenResponse({ description: NOT_ENOUGH_PRIVILEGES }));
