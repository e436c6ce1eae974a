import { createServer } from 'node:http';
import Fastify, { type FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import pg from 'pg';

/**
 * The raw stack under the product, as a hand-written server would use it, so the benchmark can
 * say what the framework, the ORM and our own code cost on top. Every mode answers the same
 * JSON as the product's route it stands beside.
 *
 *   node dist/bench/baselines.js <mode>   (PORT, DATABASE_URL, REDIS_URL, BENCH_* from the env)
 */

const ITEM_COLUMNS = 'id, title, description, owner_id, created_at, updated_at';

interface ItemRow {
  id: string;
  title: string;
  description: string | null;
  owner_id: string;
  created_at: Date;
  updated_at: Date;
}

const itemJson = (row: ItemRow) => ({
  id: row.id,
  title: row.title,
  description: row.description,
  owner_id: row.owner_id,
  created_at: row.created_at.toISOString(),
  updated_at: row.updated_at.toISOString(),
});

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required for this mode`);
  return value;
}

function pool(): pg.Pool {
  return new pg.Pool({ connectionString: required('DATABASE_URL'), max: Number(process.env.DB_POOL_SIZE ?? 10) });
}

const modes: Record<string, () => FastifyInstance> = {
  fastify() {
    const app = Fastify();
    app.get('/', async () => ({ status: 'ok' }));
    return app;
  },
  'fastify-pg-item'() {
    const db = pool();
    const app = Fastify();
    app.get<{ Params: { id: string } }>('/items/:id', async (request, reply) => {
      const { rows } = await db.query<ItemRow>(`SELECT ${ITEM_COLUMNS} FROM items WHERE id = $1`, [request.params.id]);
      if (rows.length === 0) return reply.code(404).send({ detail: 'Item not found' });
      return itemJson(rows[0]);
    });
    return app;
  },
  'fastify-pg-list'() {
    const db = pool();
    const ownerId = required('BENCH_OWNER_ID');
    const app = Fastify();
    app.get('/items', async () => {
      // One statement for the page and the total, as a hand-written query would do it.
      const { rows } = await db.query<ItemRow & { total: string }>(
        `SELECT ${ITEM_COLUMNS}, count(*) OVER () AS total FROM items WHERE owner_id = $1 ORDER BY created_at DESC, id DESC LIMIT 100 OFFSET 0`,
        [ownerId],
      );
      return { data: rows.map(itemJson), count: rows.length > 0 ? Number(rows[0].total) : 0 };
    });
    return app;
  },
  'fastify-pg-insert'() {
    const db = pool();
    const ownerId = required('BENCH_OWNER_ID');
    const app = Fastify();
    app.post<{ Body: { title: string; description?: string } }>('/items', async (request, reply) => {
      const { rows } = await db.query<ItemRow>(
        `INSERT INTO items (title, description, owner_id) VALUES ($1, $2, $3) RETURNING ${ITEM_COLUMNS}`,
        [request.body.title, request.body.description ?? null, ownerId],
      );
      return reply.code(201).send(itemJson(rows[0]));
    });
    return app;
  },
  'fastify-redis'() {
    const redis = new Redis(required('REDIS_URL'));
    const key = required('BENCH_REDIS_KEY');
    const app = Fastify();
    app.get('/cached', async (_request, reply) => {
      const value = await redis.get(key);
      if (value === null) return reply.code(404).send({ detail: 'Not found' });
      return reply.type('application/json; charset=utf-8').send(value);
    });
    return app;
  },
};

// A normal exit on a signal, so that `--cpu-prof` writes its profile.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(0));

const mode = process.argv[2] ?? '';
const port = Number(process.env.PORT ?? 0);

if (mode === 'node-http') {
  createServer((_request, response) => {
    const body = JSON.stringify({ status: 'ok' });
    response.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
    });
    response.end(body);
  }).listen(port, '127.0.0.1', () => process.stdout.write(`listening ${port}\n`));
} else if (modes[mode]) {
  const app = modes[mode]();
  await app.listen({ port, host: '127.0.0.1' });
  process.stdout.write(`listening ${port}\n`);
} else {
  process.stderr.write(`unknown mode "${mode}"; one of: node-http, ${Object.keys(modes).join(', ')}\n`);
  process.exit(2);
}
