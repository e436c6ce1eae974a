import 'reflect-metadata';
import { Controller, Get, Inject, Module, NotFoundException, Param, Res } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { InjectRepository, TypeOrmModule } from '@nestjs/typeorm';
import type { FastifyReply } from 'fastify';
import { Redis } from 'ioredis';
import { Column, Entity, PrimaryColumn, type Repository } from 'typeorm';

/**
 * The framework under the product, bare: NestJS on Fastify with the same versions, TypeORM and
 * ioredis, and no global guard, pipe, interceptor or filter. It answers the same JSON as the
 * product's routes it stands beside, so the benchmark can tell what the framework costs from what
 * the product adds.
 *
 *   node dist/bench/bare-nest.js   (PORT, DATABASE_URL, REDIS_URL, BENCH_REDIS_KEY from the env)
 */

const REDIS = Symbol('REDIS');

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

@Entity({ name: 'items' })
class ItemRow {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ type: 'varchar' })
  title: string;

  @Column({ type: 'varchar', nullable: true })
  description: string | null;

  @Column({ name: 'owner_id', type: 'uuid' })
  ownerId: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

@Controller()
class BareController {
  private readonly cachedKey = required('BENCH_REDIS_KEY');

  constructor(
    @InjectRepository(ItemRow) private readonly items: Repository<ItemRow>,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  @Get('health/live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('items/:id')
  async item(@Param('id') id: string) {
    const item = await this.items.findOneBy({ id });
    if (!item) throw new NotFoundException('Item not found');
    return {
      id: item.id,
      title: item.title,
      description: item.description,
      owner_id: item.ownerId,
      created_at: item.createdAt.toISOString(),
      updated_at: item.updatedAt.toISOString(),
    };
  }

  @Get('cached')
  async cached(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const body = await this.redis.get(this.cachedKey);
    if (body === null) throw new NotFoundException();
    reply.type('application/json; charset=utf-8');
    return body;
  }
}

@Module({
  imports: [
    TypeOrmModule.forRoot({
      type: 'postgres',
      url: required('DATABASE_URL'),
      entities: [ItemRow],
      poolSize: Number(process.env.DB_POOL_SIZE ?? 10),
    }),
    TypeOrmModule.forFeature([ItemRow]),
  ],
  controllers: [BareController],
  providers: [{ provide: REDIS, useFactory: () => new Redis(required('REDIS_URL')) }],
})
class BareModule {}

const app = await NestFactory.create<NestFastifyApplication>(BareModule, new FastifyAdapter(), {
  logger: ['error', 'warn'],
});
// A normal exit on a signal, so that `--cpu-prof` writes its profile.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(0));
const port = Number(process.env.PORT ?? 0);
await app.listen(port, '127.0.0.1');
process.stdout.write(`listening ${port}\n`);
