/**
 * The OpenAPI 3.1 document of the admin API, generated from the routes' own zod schemas
 * (`z.toJSONSchema`, draft 2020-12, which is OpenAPI 3.1's dialect): what validates a request
 * is what is documented, with no hand-kept copy.
 */
import { z } from 'zod';
import { VERSION } from '../core/index.js';
import { errorSchema } from './admin-errors.js';
import { pendingView } from './gated-changes.js';
import type { AdminRoute } from './route-types.js';

type Json = Record<string, unknown>;

function schemaOf(s: z.ZodType, io: 'input' | 'output'): Json {
  const { $schema: _drop, ...rest } = z.toJSONSchema(s, { io, unrepresentable: 'any' }) as Json;
  return rest;
}

/** `/api/v1/keys/:ref` → `/api/v1/keys/{ref}` */
export const openApiPath = (url: string): string => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

function parameters(r: AdminRoute): Json[] {
  const out: Json[] = [];
  const add = (where: 'path' | 'query', s: z.ZodType | undefined) => {
    if (!s) return;
    const json = schemaOf(s, 'input') as { properties?: Record<string, Json>; required?: string[] };
    for (const [name, schema] of Object.entries(json.properties ?? {}))
      out.push({
        name,
        in: where,
        required: where === 'path' || (json.required ?? []).includes(name),
        schema,
      });
  };
  add('path', r.params);
  add('query', r.query);
  if (r.mfa)
    out.push({
      name: 'x-keywarden-otp',
      in: 'header',
      required: true,
      description: 'A fresh TOTP code (each code is accepted once)',
      schema: { type: 'string', pattern: '^[0-9]{6}$' },
    });
  return out;
}

export function buildOpenApi(routes: readonly AdminRoute[]): Json {
  const paths: Record<string, Record<string, Json>> = {};
  const error = { content: { 'application/json': { schema: schemaOf(errorSchema, 'output') } } };
  for (const r of routes) {
    const path = openApiPath(r.url);
    paths[path] ??= {};
    const op: Json = {
      operationId: r.id,
      summary: r.summary,
      tags: [r.tag],
      'x-keywarden-permission': r.permission,
      ...(r.approval ? { 'x-keywarden-approval': r.approval } : {}),
      ...(r.permission === 'public' ? { security: [] } : {}),
      parameters: parameters(r),
      responses: {
        [String(r.status ?? 200)]: {
          description: r.stream ? 'NDJSON, one item per line, streamed' : 'OK',
          content: {
            [r.stream ? 'application/x-ndjson' : 'application/json']: {
              schema: schemaOf(r.response, 'output'),
            },
            // An events route streams when asked for it (Accept: text/event-stream).
            ...(r.events ? { 'text/event-stream': { schema: { type: 'string' } } } : {}),
          },
        },
        ...(r.approval
          ? {
              '202': {
                description: `Held: approvals.require lists ${r.approval}; the change applies once another admin approves`,
                content: { 'application/json': { schema: schemaOf(pendingView, 'output') } },
              },
            }
          : {}),
        default: { description: 'Error: { error: { code, message, requestId } }', ...error },
      },
    };
    if (r.body)
      op.requestBody = {
        required: true,
        content: { 'application/json': { schema: schemaOf(r.body, 'input') } },
      };
    paths[path][r.method.toLowerCase()] = op;
  }
  paths['/api/v1/openapi.json'] = {
    get: {
      operationId: 'openapi',
      summary: 'This document',
      tags: ['meta'],
      security: [],
      responses: {
        '200': { description: 'The OpenAPI 3.1 document', content: { 'application/json': { schema: {} } } },
      },
    },
  };
  return {
    openapi: '3.1.0',
    info: { title: 'keywarden admin API', version: VERSION },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: 'kw_session' },
        token: { type: 'http', scheme: 'bearer' },
      },
    },
    security: [{ session: [] }, { token: [] }],
    paths,
  };
}
