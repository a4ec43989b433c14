import { EVENT_SCHEMAS } from '../../core/events';
import { openApiDocument } from '../../functions/openapi';
import { DECLARED_ROUTES } from '../../topology/routes';

/**
 * Versioned event contracts: subscribers and rules depend on these fields. Removing or renaming one is a
 * breaking change (publish a new version instead), and this test fails when it happens.
 */
const EVENT_FIELDS: Record<keyof typeof EVENT_SCHEMAS, string[]> = {
  EscalationRequested: ['version', 'escalationId', 'partnerId', 'caseId'],
  PartnerIncidentOpened: ['version', 'escalationId', 'partnerId', 'caseId', 'ticketNumber', 'pendingComments'],
  PartnerStatusChanged: ['version', 'escalationId', 'partnerId', 'caseId', 'from', 'to', 'partnerStatus'],
  EscalationReferred: ['version', 'escalationId', 'partnerId', 'caseId', 'reason'],
  CommentAdded: ['version', 'escalationId', 'partnerId', 'caseId'],
  EscalationCancelled: ['version', 'escalationId', 'partnerId', 'caseId'],
  JointCallScheduled: ['version', 'escalationId', 'partnerId', 'caseId', 'provider', 'meetingId'],
  PartnerTicketRecorded: ['version', 'escalationId', 'partnerId', 'caseId', 'ticketNumber'],
  EscalationAged: ['version', 'escalationId', 'partnerId', 'caseId', 'threshold', 'severity', 'deadline'],
  KnownIncidentStarted: ['version', 'partnerId', 'source', 'incidentId', 'title', 'status', 'startedAt', 'services'],
  KnownIncidentResolved: ['version', 'partnerId', 'source', 'incidentId', 'title', 'status', 'startedAt', 'services', 'resolvedAt'],
  KnownIncidentConfirmed: ['version', 'escalationId', 'partnerId', 'caseId', 'source', 'incidentId', 'title', 'status', 'startedAt'],
  ConfirmedIncidentResolved: ['version', 'escalationId', 'partnerId', 'caseId', 'source', 'incidentId', 'title', 'status', 'startedAt', 'resolvedAt'],
};

describe('event contracts (version 1)', () => {
  it.each(Object.entries(EVENT_FIELDS))('%s keeps every required field', (name, fields) => {
    const shape = Object.keys(EVENT_SCHEMAS[name as keyof typeof EVENT_SCHEMAS].shape);
    expect(shape).toEqual(expect.arrayContaining(fields));
    for (const f of fields) expect(EVENT_SCHEMAS[name as keyof typeof EVENT_SCHEMAS].shape[f as never]).toBeDefined();
  });
  it('lists every event it checks, and no event goes unchecked', () => {
    expect(Object.keys(EVENT_SCHEMAS).sort()).toEqual(Object.keys(EVENT_FIELDS).sort());
  });
});

describe('OpenAPI document (built from topology/routes.ts)', () => {
  type Operation = {
    operationId: string; security: unknown[]; 'x-roles'?: string[]; parameters?: { name: string; in: string }[];
    requestBody?: { required: boolean; content: Record<string, { schema: { properties?: Record<string, unknown> } }> };
    responses: Record<string, { content?: Record<string, { schema: Record<string, unknown> }> }>;
  };
  const doc = openApiDocument() as { openapi: string; paths: Record<string, Record<string, Operation>> };
  const op = (key: string) => {
    const [method, path] = key.split(' ') as [string, string];
    return doc.paths[path]?.[method.toLowerCase()];
  };

  it('is OpenAPI 3.1 with exactly the declared routes', () => {
    expect(doc.openapi).toBe('3.1.0');
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    expect(documented.sort()).toEqual(DECLARED_ROUTES.map((r) => r.key).sort());
  });

  it.each(DECLARED_ROUTES.map((r) => [r.key, r] as const))('%s: its security, roles, parameters, body and every declared answer', (key, r) => {
    const o = op(key)!;
    expect(o.operationId).toBe(key);
    expect(o.security).toEqual(r.auth === 'jwt' ? [{ bearer: [] }] : r.auth === 'optional' ? [{ bearer: [] }, {}] : []);
    expect(o['x-roles']).toEqual(r.roles);
    expect((o.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name)).toEqual([...r.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]));
    expect(o.requestBody !== undefined).toBe(r.body !== undefined);
    if (o.requestBody) expect(o.requestBody.required).toBe(!r.optionalBody);
    expect(Object.keys(o.responses).sort()).toEqual([...Object.keys(r.answers), 'default'].sort());
    expect(o.responses.default!.content!['application/json']!.schema).toEqual({ $ref: '#/components/schemas/Error' });
  });

  it('describes request bodies and queries from the zod schemas', () => {
    const body = op('POST /v1/escalations')!.requestBody!.content['application/json']!.schema;
    expect(Object.keys(body.properties ?? {})).toEqual(expect.arrayContaining(['caseId', 'customerId', 'severity', 'summary', 'findings']));
    const status = op('POST /v1/escalations/{escalationId}/partner-status')!.requestBody!.content['application/json']!.schema;
    expect(status.properties).toMatchObject({ status: { enum: ['in_progress', 'awaiting_info', 'resolved', 'closed'] }, note: { type: 'string' } });
    expect(op('GET /v1/escalations/{escalationId}/timeline')!.parameters!.filter((p) => p.in === 'query').map((p) => p.name)).toEqual(['before', 'limit']);
    expect(op('GET /v1/escalations')!.parameters).toContainEqual(expect.objectContaining({ name: 'caseId', in: 'query', required: true }));
  });

  it('describes each answer as it is, not every success as an Escalation', () => {
    const json = (key: string, status: string) => op(key)!.responses[status]!.content!['application/json']!.schema as { properties?: Record<string, unknown>; required?: string[] };
    expect(Object.keys(json('GET /v1/escalations', '200').properties!)).toEqual(['items']);
    expect(Object.keys(json('POST /v1/escalations/{escalationId}/comments', '202').properties!).sort()).toEqual(['destination', 'forwarded', 'message', 'status']);
    expect(Object.keys(json('POST /v1/escalations/{escalationId}/joint-calls', '201').properties!).sort()).toEqual(['joinUrl', 'meetingId', 'provider']);
    expect(json('GET /v1/escalations/{escalationId}', '200').required).toEqual(expect.arrayContaining(['timeline', 'findings', 'escalationId']));
    expect(Object.keys(json('GET /v1/customer/cases/{caseId}/partner-incidents', '200').properties!)).toEqual(['caseId', 'incidents']);
    expect(Object.keys(op('GET /status/cases/{caseId}')!.responses['200']!.content!)).toEqual(['text/html']);
    expect(op('GET /status/cases/{caseId}')!.responses['303']!.content).toBeUndefined();
  });
});
