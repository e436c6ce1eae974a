import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The operations of an OpenAPI 3 document, with their schemas resolved against its components. */

export type Schema = Record<string, unknown>;

export interface OpenApiDocument {
  paths: Record<string, Record<string, OperationObject>>;
  components?: { schemas?: Record<string, Schema> };
}

interface ParameterObject {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: Schema;
}

interface OperationObject {
  operationId?: string;
  parameters?: ParameterObject[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: Schema }> };
  responses?: Record<string, { content?: Record<string, { schema?: Schema }> }>;
}

export interface Operation {
  id: string;
  method: string;
  /** The documented path, e.g. `/api/v1/items/{id}`. */
  path: string;
  pathParameters: string[];
  queryParameters: { name: string; schema: Schema }[];
  /** The JSON (or form) body's schema, where the operation takes one. */
  bodySchema?: Schema;
  bodyMediaTypes: string[];
  /** Documented success statuses and their JSON schemas (undefined: no JSON body). */
  successes: Map<number, { mediaType?: string; schema?: Schema }>;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/** `openapi.json` as committed: the contract clients see (the inventory test holds it to the built API). */
export function committedOpenApiDocument(): OpenApiDocument {
  return JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'openapi.json'), 'utf8')) as OpenApiDocument;
}

/** Replaces every `$ref` by the component it names (the documents here have no cycles). */
export function resolveRefs(schema: unknown, document: OpenApiDocument): unknown {
  if (Array.isArray(schema)) return schema.map((entry) => resolveRefs(entry, document));
  if (!schema || typeof schema !== 'object') return schema;
  const record = schema as Schema;
  if (typeof record.$ref === 'string') {
    const name = record.$ref.replace('#/components/schemas/', '');
    return resolveRefs(document.components?.schemas?.[name], document);
  }
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, resolveRefs(value, document)]));
}

export function operationsOf(document: OpenApiDocument): Operation[] {
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const parameters = operation.parameters ?? [];
      const content = operation.requestBody?.content ?? {};
      const bodyMediaTypes = Object.keys(content);
      const successes = new Map<number, { mediaType?: string; schema?: Schema }>();
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        if (!/^2\d\d$/.test(status)) continue;
        const [mediaType, media] = Object.entries(response.content ?? {})[0] ?? [];
        successes.set(Number(status), {
          mediaType,
          schema: media?.schema ? (resolveRefs(media.schema, document) as Schema) : undefined,
        });
      }
      operations.push({
        id: operation.operationId ?? `${method} ${path}`,
        method: method.toUpperCase(),
        path,
        pathParameters: parameters.filter((p) => p.in === 'path').map((p) => p.name),
        queryParameters: parameters
          .filter((p) => p.in === 'query')
          .map((p) => ({ name: p.name, schema: (resolveRefs(p.schema, document) ?? {}) as Schema })),
        bodySchema:
          bodyMediaTypes.length > 0 ? (resolveRefs(Object.values(content)[0].schema, document) as Schema) : undefined,
        bodyMediaTypes,
        successes,
      });
    }
  }
  return operations;
}

/** OpenAPI 3.0's `nullable` as JSON Schema (draft 7) says it, for a standard validator. */
export function toJsonSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(toJsonSchema);
  if (!schema || typeof schema !== 'object') return schema;
  const { nullable, example: _example, ...rest } = schema as Schema;
  const converted = Object.fromEntries(
    Object.entries(rest).map(([key, value]) => [
      key,
      key === 'properties' ? mapValues(value as Schema) : toJsonSchema(value),
    ]),
  );
  if (!nullable) return converted;
  if (typeof converted.type === 'string') return { ...converted, type: [converted.type, 'null'] };
  return { anyOf: [converted, { type: 'null' }] };
}

function mapValues(properties: Schema): Schema {
  return Object.fromEntries(Object.entries(properties).map(([key, value]) => [key, toJsonSchema(value)]));
}
