/** Writing back to a desk case (core/use-cases/desk-events.ts): what each event writes, and how a desk's failures are taken. */
import { PartnerCallError } from '../../core/errors';
import type { DeskConnector, DeskWriteBack, QueueMessage, TimelineEntry } from '../../core/ports';
import { deskUpdateFor, MAX_DESK_DEFERRALS, writeBackToDesk } from '../../core/use-cases/desk-events';
import { DeskWriteQueueMessage } from '../../functions/desk-writeback';
import { silentLog } from '../../core/log';
import { draftEscalation, testConfig } from '../support/fixtures';

const fromDesk = draftEscalation({
  deskId: 'vendor-zendesk', caseId: '5001', status: 'in_progress', partnerName: 'Acme Cloud', partnerTicket: { id: 't1', number: 'AC-42' }, summary: 'internal summary',
});

function harness(writeBack: (caseId: string, u: DeskWriteBack) => Promise<void>, escalation = fromDesk) {
  const sent: QueueMessage[] = [];
  const timeline: TimelineEntry[] = [];
  const ledger = new Set<string>();
  const desk: DeskConnector = { verifyEvent: () => ({ kind: 'rejected', reason: 'unused' }), readEvents: () => [], writeBack };
  const deps = {
    config: testConfig('http://127.0.0.1:1'),
    connectors: { ticketing: () => undefined, collaboration: () => undefined, serviceHealth: () => undefined, desk: (id: string) => (id === 'vendor-zendesk' ? desk : undefined) },
    queue: { send: async (m: QueueMessage) => { sent.push(m); } },
    log: silentLog,
    clock: { now: () => new Date('2026-03-01T10:00:00Z') },
    store: {
      // the desk's ledger of changes written (DeliveryStore's marks)
      wasSeen: async (owner: string, key: string) => ledger.has(`${owner}|${key}`),
      markSignedSeen: async (owner: string, key: string) => !ledger.has(`${owner}|${key}`) && Boolean(ledger.add(`${owner}|${key}`)),
      getEscalation: async (id: string) => (id === escalation.escalationId ? escalation : undefined),
      appendTimeline: async (_id: string, e: TimelineEntry) => { timeline.push(e); return true; },
    },
  } as unknown as Parameters<typeof writeBackToDesk>[0];
  return { deps, sent, timeline };
}

it('each event writes the number and status, and customer-safe text only in public comments', () => {
  expect(deskUpdateFor('PartnerIncidentOpened', fromDesk)).toEqual({
    ticketNumber: 'AC-42', status: 'in progress', comment: { public: true, body: 'Acme Cloud opened ticket AC-42 for this case. Status: in progress.' },
  });
  const referred = { ...fromDesk, status: 'referred' as const, referral: { reason: 'internal: partner refused', instructions: 'Call Acme Cloud support at +1 555 0100, quoting case 5001.' } };
  expect(deskUpdateFor('EscalationReferred', referred)?.comment).toEqual({ public: true, body: 'Call Acme Cloud support at +1 555 0100, quoting case 5001.' });
  expect(deskUpdateFor('EscalationAged', fromDesk)?.comment?.public).toBe(false);
  expect(deskUpdateFor('CommentAdded', fromDesk)).toBeUndefined();
  for (const type of ['PartnerIncidentOpened', 'PartnerStatusChanged', 'EscalationReferred'] as const) {
    expect(JSON.stringify(deskUpdateFor(type, referred))).not.toMatch(/internal/);
  }
});

it('a confirmed known incident, and its resolution, write the partner incident\'s id, title, status and http(s) link publicly', () => {
  const incident = { id: 'TM123456', title: 'Users cannot join meetings', status: 'serviceDegradation', url: 'https://admin.microsoft.com/#/servicehealth/:/alerts/TM123456' };
  expect(deskUpdateFor('KnownIncidentConfirmed', fromDesk, incident)).toEqual({ comment: {
    public: true, body: `This case is affected by the Acme Cloud incident TM123456 "Users cannot join meetings" (status: serviceDegradation). Details: ${incident.url}`,
  } });
  expect(deskUpdateFor('ConfirmedIncidentResolved', fromDesk, { ...incident, status: 'serviceRestored', url: 'javascript:alert(1)' })).toEqual({ comment: {
    public: true, body: 'Acme Cloud has resolved its incident TM123456 "Users cannot join meetings" (status: serviceRestored).',
  } });
  // an event that names no incident writes nothing
  expect(deskUpdateFor('KnownIncidentConfirmed', fromDesk)).toBeUndefined();
});

it('writes to the desk case of an escalation flagged from a desk, and skips the others', async () => {
  const writes: [string, DeskWriteBack][] = [];
  const { deps } = harness(async (c, u) => { writes.push([c, u]); });
  expect(await writeBackToDesk(deps, { type: 'PartnerStatusChanged', escalationId: fromDesk.escalationId })).toBe('written');
  expect(writes).toEqual([['5001', { ticketNumber: 'AC-42', status: 'in progress', comment: { public: true, body: 'Acme Cloud ticket AC-42 is now in progress.' } }]]);
  const other = harness(async () => { throw new Error('never called'); }, { ...fromDesk, deskId: undefined } as never);
  expect(await writeBackToDesk(other.deps, { type: 'PartnerStatusChanged', escalationId: fromDesk.escalationId })).toBe('skipped');
});

it('429: the write goes back on the queue after its Retry-After; 5xx throws (the queue retries, then the DLQ)', async () => {
  const throttled = harness(async () => { throw new PartnerCallError('HTTP 429', true, 429, 7000); });
  expect(await writeBackToDesk(throttled.deps, { type: 'PartnerStatusChanged', escalationId: fromDesk.escalationId })).toBe('deferred');
  // an event's write goes back as the event (worked out again when it comes back), counting its deferrals
  expect(throttled.sent).toEqual([{ queue: 'desk-writeback', delayMs: 7000, body: { 'detail-type': 'PartnerStatusChanged', detail: { escalationId: fromDesk.escalationId }, deferrals: 1 } }]);
  expect(await writeBackToDesk(throttled.deps, { deskId: 'vendor-zendesk', caseId: '5001', update: { status: 'open' }, deferrals: 2 })).toBe('deferred');
  expect(throttled.sent[1]).toEqual({ queue: 'desk-writeback', delayMs: 7000, body: { deskId: 'vendor-zendesk', caseId: '5001', update: { status: 'open' }, deferrals: 3 } });
  // a desk that keeps throttling: after MAX_DESK_DEFERRALS the error goes to the queue's retries and DLQ
  await expect(writeBackToDesk(throttled.deps, { deskId: 'vendor-zendesk', caseId: '5001', update: { status: 'open' }, deferrals: MAX_DESK_DEFERRALS })).rejects.toThrow('HTTP 429');
  const down = harness(async () => { throw new PartnerCallError('HTTP 503', true, 503); });
  await expect(writeBackToDesk(down.deps, { deskId: 'vendor-zendesk', caseId: '5001', update: { status: 'open' } })).rejects.toThrow('HTTP 503');
});

it('a deleted desk case: recorded on the timeline, not retried', async () => {
  const gone = harness(async () => { throw new PartnerCallError('desk vendor-zendesk: ticket 5001 no longer exists (deleted in Zendesk)', false, 404); });
  expect(await writeBackToDesk(gone.deps, { type: 'PartnerIncidentOpened', escalationId: fromDesk.escalationId })).toBe('failed');
  expect(gone.timeline).toEqual([{ at: '2026-03-01T10:00:00.000Z', type: 'desk_writeback_failed', actor: 'hub', detail: { deskId: 'vendor-zendesk', error: expect.stringContaining('no longer exists') } }]);
  expect(gone.sent).toEqual([]);
  // done with: the bus delivering the event again writes nothing more (it would fail alike, or post again what part of it wrote)
  expect(await writeBackToDesk(gone.deps, { type: 'PartnerIncidentOpened', escalationId: fromDesk.escalationId })).toBe('skipped');
  expect(gone.timeline).toHaveLength(1);
});

it('each change is written once: a redelivered or re-announced event writes nothing more; a throttled write is still remembered once written', async () => {
  const writes: DeskWriteBack[] = [];
  let throttle = true;
  const { deps, sent } = harness(async (_c, u) => {
    if (throttle) { throttle = false; throw new PartnerCallError('HTTP 429', true, 429, 1000); }
    writes.push(u);
  });
  const changed = { type: 'PartnerStatusChanged' as const, escalationId: fromDesk.escalationId, eventId: 'ev-1', to: 'in_progress' };
  expect(await writeBackToDesk(deps, changed)).toBe('deferred');
  const deferred = DeskWriteQueueMessage.parse(JSON.parse(JSON.stringify(sent[0]!.body)));
  expect(await writeBackToDesk(deps, deferred)).toBe('written');
  expect(await writeBackToDesk(deps, changed)).toBe('skipped'); // the bus delivered it twice
  expect(await writeBackToDesk(deps, { type: 'PartnerIncidentOpened', escalationId: fromDesk.escalationId, eventId: 'ev-2' })).toBe('written');
  // an opening announced again (a new event id) is the same change
  expect(await writeBackToDesk(deps, { type: 'PartnerIncidentOpened', escalationId: fromDesk.escalationId, eventId: 'ev-3' })).toBe('skipped');
  expect(writes.map((w) => w.comment?.body)).toEqual(['Acme Cloud ticket AC-42 is now in progress.', 'Acme Cloud opened ticket AC-42 for this case. Status: in progress.']);
});

it('a status change the escalation has since moved past writes nothing: the newer one writes its status, the case never goes back in time', async () => {
  const writes: DeskWriteBack[] = [];
  const { deps } = harness(async (_c, u) => { writes.push(u); }, { ...fromDesk, status: 'resolved' });
  expect(await writeBackToDesk(deps, { type: 'PartnerStatusChanged', escalationId: fromDesk.escalationId, eventId: 'ev-new', to: 'resolved' })).toBe('written');
  expect(await writeBackToDesk(deps, { type: 'PartnerStatusChanged', escalationId: fromDesk.escalationId, eventId: 'ev-old', to: 'in_progress' })).toBe('skipped');
  expect(writes).toEqual([{ ticketNumber: 'AC-42', status: 'resolved', comment: { public: true, body: 'Acme Cloud ticket AC-42 is now resolved.' } }]);
});

it('a throttled status change comes back as its event: worked out again, it writes nothing once the escalation has moved past it', async () => {
  let escalation = fromDesk;
  const writes: DeskWriteBack[] = [];
  let throttle = true;
  const { deps, sent } = harness(async (_c, u) => {
    if (throttle) { throttle = false; throw new PartnerCallError('HTTP 429', true, 429, 60_000); }
    writes.push(u);
  });
  (deps.store as { getEscalation: unknown }).getEscalation = async () => escalation;
  expect(await writeBackToDesk(deps, { type: 'PartnerStatusChanged', escalationId: fromDesk.escalationId, eventId: 'ev-a', to: 'in_progress' })).toBe('deferred');
  // meanwhile the partner resolved it, and that change was written
  escalation = { ...fromDesk, status: 'resolved' };
  expect(await writeBackToDesk(deps, { type: 'PartnerStatusChanged', escalationId: fromDesk.escalationId, eventId: 'ev-b', to: 'resolved' })).toBe('written');
  // the deferred one comes back after its Retry-After: superseded, the case does not go back to "in progress"
  expect(await writeBackToDesk(deps, DeskWriteQueueMessage.parse(JSON.parse(JSON.stringify(sent[0]!.body))))).toBe('skipped');
  expect(writes.map((w) => w.status)).toEqual(['resolved']);
});

it('a ticket number recorded by hand (PartnerTicketRecorded) is written as an opening, once with PartnerIncidentOpened', async () => {
  const writes: DeskWriteBack[] = [];
  const { deps } = harness(async (_c, u) => { writes.push(u); });
  expect(await writeBackToDesk(deps, { type: 'PartnerTicketRecorded', escalationId: fromDesk.escalationId, eventId: 'ev-r' })).toBe('written');
  expect(writes).toEqual([deskUpdateFor('PartnerIncidentOpened', fromDesk)]);
  expect(await writeBackToDesk(deps, { type: 'PartnerIncidentOpened', escalationId: fromDesk.escalationId, eventId: 'ev-o' })).toBe('skipped');
});
