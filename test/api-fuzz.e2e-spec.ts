import { randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import fc from 'fast-check';
import { DataSource } from 'typeorm';
import {
  committedOpenApiDocument,
  type Operation,
  operationsOf,
  type Schema,
  toJsonSchema,
} from './fuzz/openapi-operations.js';
import { type CallerKind, type FuzzRequest, type KnownIds, requestFor } from './fuzz/request-arbitraries.js';
import { createTestApp } from './utils/test-app.js';
import { bearer, createUser, login } from './utils/users.js';

/** `npm test` runs a few hundred; `npm run test:fuzz` sets FUZZ_RUNS=10000. FUZZ_SEED replays a run. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 400);
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/** What no response may contain (unless the request itself sent it). */
const LEAKS: [string, RegExp][] = [
  ['stack trace', /\n\s+at\s+\S|\bat\s+[\w.<>]+\s+\([^)]*:\d+:\d+\)/],
  ['source path', /node_modules|\.(ts|js):\d+|\/dist\/|\/src\//],
  ['project path', new RegExp(process.cwd().replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))],
  [
    'SQL',
    /QueryFailedError|syntax error at or near|violates \w+ (key )?constraint|relation "\w+"|\bFROM\s+"\w+"|\bINSERT INTO\s+"/i,
  ],
  ['password hash', /\$argon2(id|i|d)\$|\$2[aby]\$\d\d\$/],
  ['hashed_password field', /"hashed_?password"/i],
];

/** Routes whose success changes the callers themselves: the callers are made anew after one. */
const CALLER_CHANGING = new Set([
  'DELETE /api/v1/users/me',
  'PATCH /api/v1/users/me/password',
  'POST /api/v1/logout',
  'PATCH /api/v1/users/{user_id}',
  'DELETE /api/v1/users/{user_id}',
]);

describe('API fuzzing from the OpenAPI document', () => {
  let app: NestFastifyApplication;
  let operations: Operation[];
  const validators = new Map<Schema, ReturnType<Ajv['compile']>>();
  const ajv = addFormats(new Ajv({ strict: false, allErrors: false })).addFormat(
    // ajv-formats has no idn-email: its email rule with letters and digits of any script.
    'idn-email',
    /^[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+(?:\.[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+)*@(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?\.)+[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?$/u,
  );
  const known: KnownIds = { uuids: [], names: ['acme'] };
  const headersOf: Record<CallerKind, Record<string, string>> = { anonymous: {}, normal: {}, superuser: {} };
  const statuses = new Map<number, number>();
  const exercised = new Set<string>();

  /** A fresh normal user and a fresh superuser (never the first superuser, which other suites use). */
  const makeCallers = async () => {
    for (const kind of ['normal', 'superuser'] as const) {
      const password = `pw-${randomUUID()}`;
      const user = await createUser(app, { password, is_superuser: kind === 'superuser' });
      headersOf[kind] = bearer((await login(app, user.email, password)).access_token);
      known.uuids.push(user.id);
      const item = await app.inject({
        method: 'POST',
        url: '/api/v1/items/',
        headers: headersOf[kind],
        payload: { title: `${kind} item` },
      });
      known.uuids.push(item.json<{ id: string }>().id);
      const key = await app.inject({
        method: 'POST',
        url: '/api/v1/users/me/api-keys',
        headers: headersOf[kind],
        payload: { name: 'fuzz' },
      });
      known.uuids.push(key.json<{ id: string }>().id);
      // An organization with an item and an invitation, so that its nested routes are reached.
      const organization = (
        await app.inject({
          method: 'POST',
          url: '/api/v1/organizations/',
          headers: headersOf[kind],
          payload: { name: `${kind} organization` },
        })
      ).json<{ id: string }>().id;
      known.uuids.push(organization);
      for (const [path, payload] of [
        ['items/', { title: `${kind} organization item` }],
        ['invitations', { email: `fuzz-${randomUUID()}@example.com`, role: 'viewer' }],
      ] as const) {
        const created = await app.inject({
          method: 'POST',
          url: `/api/v1/organizations/${organization}/${path}`,
          headers: headersOf[kind],
          payload,
        });
        known.uuids.push(created.json<{ id: string }>().id);
      }
      // An identity at a provider, for the unlink route (the account has a password: unlinking is allowed).
      const [identity] = await app
        .get(DataSource)
        .query<{ id: string }[]>(
          `INSERT INTO user_identities (user_id, provider, issuer, subject, email, last_sign_in_at) VALUES ($1, 'acme', 'https://login.acme.example', $2, $3, now()) RETURNING id`,
          [user.id, randomUUID(), user.email],
        );
      known.uuids.push(identity.id);
    }
    // Someone else, whom the callers may only reach as a superuser.
    known.uuids.push((await createUser(app)).id);
  };

  const schemaCheck = (schema: Schema) => {
    let validate = validators.get(schema);
    if (!validate) validators.set(schema, (validate = ajv.compile(toJsonSchema(schema) as object)));
    return validate;
  };

  /** Every reason the response to `sent` breaks the rules; none is a pass. */
  const problemsOf = (sent: FuzzRequest, status: number, contentType: string, body: string): string[] => {
    const problems: string[] = [];
    if (status >= 500) problems.push(`status ${status}`);
    const sentText = `${decodeURIComponentSafe(sent.url)} ${sent.payload ?? ''}`;
    for (const [name, pattern] of LEAKS) {
      const match = body.match(pattern);
      if (match && !sentText.includes(match[0])) problems.push(`${name} in the body: ${match[0]}`);
    }
    if (status >= 200 && status < 300) {
      const documented = sent.operation.successes.get(status);
      if (!documented) problems.push(`undocumented success status ${status}`);
      else if (documented.mediaType === 'application/json' && documented.schema) {
        if (!contentType.startsWith('application/json')) problems.push(`content type ${contentType}`);
        else {
          const validate = schemaCheck(documented.schema);
          if (!validate(JSON.parse(body)))
            problems.push(`body does not match the schema: ${ajv.errorsText(validate.errors)}`);
        }
      } else if (documented.mediaType && !contentType.startsWith(documented.mediaType))
        problems.push(`content type ${contentType}`);
    }
    return problems;
  };

  beforeAll(async () => {
    // A Redis prefix of its own, and per-address failure limits out of reach: thousands of bad
    // logins from one address would otherwise lock out the logins that make its callers.
    app = await createTestApp({
      redisKeyPrefix: `test-fuzz-${randomUUID()}`,
      loginMaxFailuresPerIp: 1_000_000,
      apiKeyMaxFailuresPerIp: 1_000_000,
      // A provider that cannot be reached: the sign-in routes run their failure paths, not 404s only.
      oidcAllowInsecureIssuer: true,
      oidcProviders: [
        {
          name: 'acme',
          displayName: 'Acme',
          issuer: 'http://127.0.0.1:9',
          clientId: 'api',
          clientSecret: 'secret',
          scopes: 'openid email',
        },
      ],
    });
    operations = operationsOf(committedOpenApiDocument());
    await makeCallers();
  }, 60_000);

  afterAll(async () => {
    process.stdout.write(
      `fuzzing: one request per operation, then ${RUNS} at random, over ${operations?.length} operations; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}\n`,
    );
    await app.close();
  });

  it(
    `answers ${RUNS} generated requests with no 5xx, no leak and only documented successes`,
    async () => {
      const requests = fc.constantFrom(...operations).chain((operation) => requestFor(operation, known));
      const send = async (sent: FuzzRequest) => {
        const response = await app.inject({
          method: sent.method as 'GET',
          url: sent.url,
          headers: { ...sent.headers, ...headersOf[sent.caller] },
          payload: sent.payload,
        });
        statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
        exercised.add(sent.operation.id);
        const problems = problemsOf(
          sent,
          response.statusCode,
          String(response.headers['content-type'] ?? ''),
          response.body,
        );
        if (response.statusCode < 300 && CALLER_CHANGING.has(`${sent.method} ${sent.operation.path}`))
          await makeCallers();
        if (problems.length > 0) {
          throw new Error(
            `${sent.caller} ${sent.method} ${sent.url.slice(0, 300)} -> ${response.statusCode}: ${problems.join('; ')}\n${response.body.slice(0, 500)}`,
          );
        }
      };
      // Every operation once, whatever the random draw picks, then RUNS requests drawn at random;
      // one seed for both, so that FUZZ_SEED replays the whole run.
      const seed = SEED ?? Math.floor(Math.random() * 2 ** 31);
      for (const operation of operations) {
        const [sent] = fc.sample(requestFor(operation, known), { numRuns: 1, seed });
        await send(sent).catch((error: Error) => {
          throw new Error(`failed (replay with FUZZ_SEED=${seed}): ${error.message}`);
        });
      }
      const run = await fc.check(fc.asyncProperty(requests, send), { numRuns: RUNS, seed, endOnFailure: true });
      // Its own report: fast-check's would print the whole request, which can be megabytes.
      if (run.failed)
        throw new Error(`failed (replay with FUZZ_SEED=${run.seed}): ${(run.errorInstance as Error | null)?.message}`);
      const served = [...statuses].filter(([status]) => status < 300).reduce((sum, [, count]) => sum + count, 0);
      // A fuzzer that only ever hit validation errors, or missed routes, would prove little.
      expect(served).toBeGreaterThan(RUNS / 20);
      expect([...exercised].sort()).toEqual(operations.map((operation) => operation.id).sort());
    },
    Math.max(120_000, RUNS * 50),
  );
});

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
