/** The OpenAPI 3.1 document of the contract, built from the topology's routes and the zod schemas. */
import * as z from 'zod';
import { STATUSES } from '../core/escalation';
import {
  AddCommentRequest, CancelRequest, CreateEscalationRequest, JointCallRequestBody, PartnerStatusRequest, PartnerTicketRequest, RetryRequest, StatusLinkRequest,
} from '../core/schemas';
import { ROUTES } from '../topology/topology';

const schema = (s: z.ZodType) => z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' });

const ErrorBody = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object', required: ['code', 'message'],
      properties: {
        code: { type: 'string' }, message: { type: 'string' },
        details: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } } },
      },
    },
  },
};

const Escalation = {
  type: 'object',
  properties: {
    escalationId: { type: 'string' }, caseId: { type: 'string' }, customerId: { type: 'string' }, partnerId: { type: 'string' },
    partnerName: { type: 'string' }, platform: { type: ['string', 'null'] }, status: { enum: [...STATUSES] },
    severity: { type: 'string' }, summary: { type: 'string' },
    partnerTicket: { type: ['object', 'null'], properties: { id: { type: 'string' }, number: { type: 'string' }, url: { type: 'string' } } },
    referral: { type: ['object', 'null'], properties: { reason: { type: 'string' }, instructions: { type: 'string' } } },
    problem: { type: ['object', 'null'], properties: { code: { type: 'string' }, message: { type: 'string' }, since: { type: 'string', format: 'date-time' } } },
    createdAt: { type: 'string', format: 'date-time' }, updatedAt: { type: 'string', format: 'date-time' },
  },
};

/** `GET …/timeline`: its query and its answer (older entries, oldest first; `before`: `null` when none are left). */
const TIMELINE_PAGE = 'GET /v1/escalations/{escalationId}/timeline';
const PAGE_QUERY = [
  { name: 'before', in: 'query', schema: { type: 'string' } },
  { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 200, default: 100 } },
];
const TimelinePage = {
  type: 'object', required: ['items', 'before'],
  properties: { items: { type: 'array', items: { type: 'object', required: ['at', 'type', 'actor', 'detail'] } }, before: { type: ['string', 'null'] } },
};

const BODIES: Record<string, z.ZodType> = {
  'POST /v1/escalations': CreateEscalationRequest,
  'POST /v1/escalations/{escalationId}/comments': AddCommentRequest,
  'POST /v1/escalations/{escalationId}/cancel': CancelRequest,
  'POST /v1/escalations/{escalationId}/joint-calls': JointCallRequestBody,
  'POST /v1/escalations/{escalationId}/partner-ticket': PartnerTicketRequest,
  'POST /v1/escalations/{escalationId}/retry': RetryRequest,
  'POST /v1/escalations/{escalationId}/partner-status': PartnerStatusRequest,
  'POST /v1/status-links': StatusLinkRequest,
};

let doc: Record<string, unknown> | undefined;
export function openApiDocument(): Record<string, unknown> {
  if (doc) return doc;
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of ROUTES) {
    const key = `${r.method} ${r.path}`;
    const params = [
      ...[...r.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } })),
      ...(key === TIMELINE_PAGE ? PAGE_QUERY : []),
    ];
    const body = BODIES[key];
    (paths[r.path] ??= {})[r.method.toLowerCase()] = {
      operationId: key,
      ...(r.auth === 'jwt' ? { security: [{ bearer: [] }] } : r.auth === 'optional' ? { security: [{ bearer: [] }, {}] } : { security: [] }),
      ...(params.length ? { parameters: params } : {}),
      ...(body ? { requestBody: { required: true, content: { 'application/json': { schema: schema(body) } } } } : {}),
      responses: {
        '2XX': { description: 'Success', content: { 'application/json': { schema: key === TIMELINE_PAGE ? TimelinePage : r.path.startsWith('/v1/escalations') ? { $ref: '#/components/schemas/Escalation' } : {} } } },
        default: { description: 'Error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
      },
    };
  }
  doc = {
    openapi: '3.1.0',
    info: { title: 'Partner escalation hub', version: '1.0.0' },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } }, schemas: { Error: ErrorBody, Escalation } },
    paths,
  };
  return doc;
}
