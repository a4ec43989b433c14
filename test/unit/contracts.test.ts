import { EVENT_SCHEMAS } from '../../core/events';
import { openApiDocument } from '../../functions/openapi';

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

describe('OpenAPI document', () => {
  // every route of ../shared/API.md, as written there
  const CONTRACT = [
    'POST /v1/escalations', 'GET /v1/escalations/{escalationId}', 'GET /v1/escalations',
    'POST /v1/escalations/{escalationId}/comments', 'POST /v1/escalations/{escalationId}/joint-calls',
    'POST /v1/escalations/{escalationId}/partner-ticket', 'POST /v1/escalations/{escalationId}/cancel',
    'POST /v1/escalations/{escalationId}/retry', 'POST /v1/escalations/{escalationId}/partner-status',
    'POST /v1/webhooks/{partnerId}', 'POST /v1/webhooks/{partnerId}/collaboration',
    'GET /v1/customer/cases/{caseId}/partner-incidents', 'GET /health', 'GET /openapi.json', 'GET /status/cases/{caseId}',
  ];
  const doc = openApiDocument() as { openapi: string; paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { properties?: object } }> } }>> };

  it('is OpenAPI 3.1 and has every route of the contract', () => {
    expect(doc.openapi).toBe('3.1.0');
    for (const r of CONTRACT) {
      const [method, path] = r.split(' ') as [string, string];
      expect(doc.paths[path]?.[method.toLowerCase()]).toBeDefined();
    }
  });
  it('describes request bodies from the zod schemas', () => {
    const body = doc.paths['/v1/escalations']!.post!.requestBody!.content['application/json']!.schema;
    expect(Object.keys(body.properties ?? {})).toEqual(expect.arrayContaining(['caseId', 'customerId', 'severity', 'summary', 'findings']));
    const status = doc.paths['/v1/escalations/{escalationId}/partner-status']!.post!.requestBody!.content['application/json']!.schema;
    expect(status.properties).toMatchObject({ status: { enum: ['in_progress', 'awaiting_info', 'resolved', 'closed'] }, note: { type: 'string' } });
  });
});
