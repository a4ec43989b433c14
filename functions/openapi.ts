/**
 * The OpenAPI 3.1 document of the contract, built from the route declarations (topology/routes.ts): path
 * and query parameters, request bodies, and every answer of every route as it really is (JSON from the
 * core/responses schemas, the status page's HTML, the redirect), errors in the contract's error body.
 */
import * as z from 'zod';
import { ErrorAnswer } from '../core/responses';
import { DECLARED_ROUTES, type Answer } from '../topology/routes';

/** A zod schema as JSON Schema (draft 2020-12, what OpenAPI 3.1 uses), without its `$schema` line. */
const jsonSchema = (s: z.ZodType, io: 'input' | 'output') => {
  const { $schema: _, ...rest } = z.toJSONSchema(s, { io, unrepresentable: 'any' });
  return rest;
};

const ERROR = { description: 'Error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };

function response(status: number, a: Answer) {
  if ('redirect' in a) return { description: `See other: ${a.redirect}`, headers: { location: { schema: { type: 'string' } } } };
  if ('html' in a) return { description: a.html, content: { 'text/html': { schema: { type: 'string' } } } };
  return {
    description: String(status),
    content: {
      'application/json': { schema: jsonSchema(a.json, 'output') },
      ...(a.also ? { [a.also.contentType ?? 'text/plain']: { schema: { type: 'string', description: a.also.text } } } : {}),
    },
  };
}

/** Query parameters, one per property of the route's query schema. */
function queryParameters(query: z.ZodType | undefined) {
  if (!query) return [];
  const s = jsonSchema(query, 'input') as { properties?: Record<string, object>; required?: string[] };
  return Object.entries(s.properties ?? {}).map(([name, schema]) => ({ name, in: 'query', required: s.required?.includes(name) ?? false, schema }));
}

let doc: Record<string, unknown> | undefined;
export function openApiDocument(): Record<string, unknown> {
  if (doc) return doc;
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of DECLARED_ROUTES) {
    const params = [
      ...[...r.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } })),
      ...queryParameters(r.query),
    ];
    (paths[r.path] ??= {})[r.method.toLowerCase()] = {
      operationId: r.key,
      ...(r.auth === 'jwt' ? { security: [{ bearer: [] }] } : r.auth === 'optional' ? { security: [{ bearer: [] }, {}] } : { security: [] }),
      ...(r.roles ? { 'x-roles': r.roles } : {}),
      ...(params.length ? { parameters: params } : {}),
      ...(r.body ? { requestBody: { required: !r.optionalBody, content: { 'application/json': { schema: jsonSchema(r.body, 'input') } } } } : {}),
      responses: {
        ...Object.fromEntries(Object.entries(r.answers).map(([status, a]) => [status, response(Number(status), a)])),
        default: ERROR,
      },
    };
  }
  doc = {
    openapi: '3.1.0',
    info: { title: 'Partner escalation hub', version: '1.0.0', description: 'The contract is docs/api.md in the repository; this document is built from the route declarations.' },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } }, schemas: { Error: jsonSchema(ErrorAnswer, 'output') } },
    paths,
  };
  return doc;
}
