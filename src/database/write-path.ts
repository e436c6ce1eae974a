import { AsyncLocalStorage } from 'node:async_hooks';
import type { DataSource, EntitySubscriberInterface } from 'typeorm';

type EntityClass<Entity> = abstract new (...args: never[]) => Entity;

/** The entity whose write path the current async call chain runs in, if any. */
const openPath = new AsyncLocalStorage<EntityClass<unknown>>();

export class WritePathBypassError extends Error {
  override name = 'WritePathBypassError';
}

/**
 * The one way to write an aggregate's rows. Processes keep state derived from users, sessions and
 * items (the auth state, cached responses) that a write must announce; a subclass runs every write
 * through `run()` and announces it after. As a TypeORM subscriber it refuses any insert, update or
 * delete of the entity made outside `run()`, by a repository or a query builder alike, so a write
 * that would leave other processes stale fails instead of going unnoticed.
 */
export abstract class WritePath<Entity extends object> implements EntitySubscriberInterface<Entity> {
  protected constructor(
    dataSource: DataSource,
    private readonly entity: EntityClass<Entity>,
  ) {
    dataSource.subscribers.push(this as EntitySubscriberInterface<unknown>);
  }

  listenTo(): EntityClass<Entity> {
    return this.entity;
  }

  beforeInsert(): void {
    this.checkOpen('insert');
  }

  beforeUpdate(): void {
    this.checkOpen('update');
  }

  beforeRemove(): void {
    this.checkOpen('delete');
  }

  beforeSoftRemove(): void {
    this.checkOpen('soft delete');
  }

  beforeRecover(): void {
    this.checkOpen('recover');
  }

  /** Runs `work`, whose writes to the entity are then allowed; the caller announces them after. */
  protected run<T>(work: () => Promise<T>): Promise<T> {
    return openPath.run(this.entity, work);
  }

  private checkOpen(operation: string): void {
    if (openPath.getStore() === this.entity) return;
    throw new WritePathBypassError(`${this.entity.name} ${operation} outside ${this.constructor.name}`);
  }
}
