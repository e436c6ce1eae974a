import { Injectable } from '@nestjs/common';
import FindMyWay, { type HTTPMethod } from 'find-my-way';

const METHODS: HTTPMethod[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/**
 * A second index of the app's routes, fed by Fastify's `onRoute` hook, used only to tell a
 * wrong method (405 with `Allow`) from an unknown path (404): Fastify answers 404 for both.
 */
@Injectable()
export class RouteTable {
  private readonly router = FindMyWay({ ignoreTrailingSlash: true });
  private readonly registered: { method: string; url: string }[] = [];

  /** Every method and path the server routes, as registered: the app's route inventory. */
  get entries(): readonly { method: string; url: string }[] {
    return this.registered;
  }

  add(method: string | string[], url: string): void {
    for (const m of Array.isArray(method) ? method : [method]) {
      const upper = m.toUpperCase() as HTTPMethod;
      if (!METHODS.includes(upper) || this.router.hasRoute(upper, url)) continue;
      this.router.on(upper, url, () => undefined);
      this.registered.push({ method: upper, url });
    }
  }

  /**
   * The methods some route serves for this path, or none when the path is unknown. OPTIONS alone
   * does not make a path known: the CORS preflight route matches every path.
   */
  allowedMethods(path: string): string[] {
    const pathname = path.split('?')[0];
    const methods = METHODS.filter((method) => this.router.find(method, pathname) !== null);
    return methods.some((method) => method !== 'OPTIONS') ? methods : [];
  }
}
