/**
 * Partner data is untrusted (issue 12, items 7 and 9), on dynalite with an injected clock: partner times
 * far in the future never lock an escalation, and a partner ticket id already linked to one escalation is
 * never moved to another (the conflict is recorded and refused).
 */
import { silentLog, type HubDeps } from '../../core/deps';
import { ConflictError, TicketLinkConflictError } from '../../core/errors';
import type { PartnerIncident, TicketingConnector } from '../../core/ports';
import { applyPartnerUpdates } from '../../core/use-cases/apply-partner-updates';
import type { Escalation } from '../../core/escalation';
import { flagEscalation } from '../../core/use-cases/flag-escalation';
import { openPartnerIncident } from '../../core/use-cases/open-partner-incident';
import { recordPartnerTicket } from '../../core/use-cases/record-partner-ticket';
import { documentClient } from '../../functions/adapters/clients';
import { DynamoEscalationStore } from '../../functions/adapters/dynamo-store';
import { LOCAL_TABLE, startDynalite } from '../../local/dynamo';
import { FakeClock, openEscalationWithTicket, RecordingBus, RecordingQueue, testConfig, uid } from '../support/fixtures';

/** A partner whose next answer each test chooses. */
class ChosenPartner implements TicketingConnector {
  mode: 'api' | 'manual' = 'api';
  next: () => PartnerIncident = () => { throw new Error('no answer chosen'); };
  async openIncident() { return this.next(); }
  async findByExternalRef() { return undefined; }
  async getIncident(): Promise<PartnerIncident> { throw new Error('not used'); }
  async addComment() {}
  verifyWebhook() { return { kind: 'rejected' as const, reason: 'not used' }; }
  parseWebhook() { return []; }
}

let dynamo: Awaited<ReturnType<typeof startDynalite>>;
beforeAll(async () => { dynamo = await startDynalite('memory'); });
afterAll(() => dynamo.close());

/** The clock is fixed at a time unrelated to today's date. */
const T0 = Date.parse('2031-03-04T05:06:07.000Z');

function setup(partnerOver: Record<string, unknown> = {}) {
  const measured: string[] = [];
  const partner = new ChosenPartner();
  const clock = new FakeClock(T0);
  const deps: HubDeps = {
    config: testConfig('http://127.0.0.1:1', partnerOver),
    store: new DynamoEscalationStore(documentClient(dynamo.client), LOCAL_TABLE),
    bus: new RecordingBus(), queue: new RecordingQueue(), clock,
    connectors: { ticketing: () => partner, collaboration: () => undefined, serviceHealth: () => undefined },
    newId: () => uid('esc'), random: () => 0.5, log: silentLog,
    metrics: { count: (name: string, partnerId: string) => { measured.push(`${name}:${partnerId}`); }, partnerLatency: () => {} },
  };
  return { deps, clock, partner, measured };
}

const openEscalation = (deps: HubDeps, over: Partial<Escalation> = {}) => openEscalationWithTicket(deps.store, over);

const iso = (ms: number) => new Date(ms).toISOString();

describe('partner times in the future (item 7)', () => {
  it('an update dated far in the future is recorded and refused, and real updates after it still apply', async () => {
    const { deps, clock } = setup();
    const { escalation, ticketId } = await openEscalation(deps);
    const deliver = (status: 'in_progress' | 'resolved' | 'awaiting_info', updatedAt: string) =>
      applyPartnerUpdates(deps, { partnerId: 'acme-cloud', deliveryId: uid('d'), updates: [{ ticketId, status, partnerStatus: status, updatedAt }] });

    expect(await deliver('resolved', '+275760-09-13T00:00:00.000Z')).toEqual(['future']);
    expect(await deliver('resolved', iso(T0 + 24 * 3600_000))).toEqual(['future']);
    clock.advance(1000);
    expect(await deliver('in_progress', iso(T0 + 500))).toEqual(['applied']);
    // within the allowed skew (partner clocks run a little fast): applied
    expect(await deliver('awaiting_info', iso(clock.now().getTime() + 60_000))).toEqual(['applied']);
    const after = (await deps.store.getEscalation(escalation.escalationId))!;
    expect(after.status).toBe('awaiting_info');
    const timeline = await deps.store.getTimeline(escalation.escalationId);
    expect(timeline.filter((t) => t.type === 'partner_update' && t.detail.reason === 'future')).toHaveLength(2);
  });

  it('an escalation already locked by a far-future time (stored before this fix) takes real updates again', async () => {
    const { deps } = setup();
    const { escalation, ticketId } = await openEscalation(deps, { status: 'resolved', partnerUpdatedAt: '+275760-09-13T00:00:00.000Z', partnerUpdateRank: 4 });
    const r = await applyPartnerUpdates(deps, { partnerId: 'acme-cloud', deliveryId: uid('d'), updates: [{ ticketId, status: 'in_progress', partnerStatus: 'in_progress', updatedAt: iso(T0) }] });
    expect(r).toEqual(['applied']);
    const after = (await deps.store.getEscalation(escalation.escalationId))!;
    expect(after.status).toBe('in_progress');
    expect(after.partnerUpdatedAt).toBe(iso(T0));
  });

  it('an opening answer dated in the future opens the escalation without taking that status or time', async () => {
    const { deps, partner } = setup();
    const { escalation } = await flagEscalation(deps, { caseId: uid('CASE'), customerId: 'acme', platform: 'acme', severity: 'high', summary: 's', findings: 'f' }, 'eng');
    partner.next = () => ({ id: uid('T'), number: 'N-1', status: 'resolved', partnerStatus: 'solved', updatedAt: '+275760-09-13T00:00:00.000Z' });
    expect(await openPartnerIncident(deps, escalation.escalationId)).toBe('opened');
    const after = (await deps.store.getEscalation(escalation.escalationId))!;
    expect(after.status).toBe('open');
    expect(after.partnerUpdatedAt).toBeNull();
  });
});

describe('partner ticket → escalation links are never overwritten (item 9)', () => {
  it('the store refuses to move a link to another escalation, and accepts the same link again', async () => {
    const { deps } = setup();
    const ticketId = uid('T');
    await deps.store.putTicketLink('acme-cloud', ticketId, 'esc_first');
    await deps.store.putTicketLink('acme-cloud', ticketId, 'esc_first'); // idempotent
    await expect(deps.store.putTicketLink('acme-cloud', ticketId, 'esc_second')).rejects.toBeInstanceOf(TicketLinkConflictError);
    expect(await deps.store.findByTicket('acme-cloud', ticketId)).toBe('esc_first');
  });

  it('a partner reusing a ticket id for a new incident does not move another customer\'s link: recorded and refused', async () => {
    const { deps, partner, measured } = setup();
    const other = await openEscalation(deps, { customerId: 'globex' });
    const { escalation } = await flagEscalation(deps, { caseId: uid('CASE'), customerId: 'acme', platform: 'acme', severity: 'high', summary: 's', findings: 'f' }, 'eng');
    partner.next = () => ({ id: other.ticketId, number: 'REUSED-1', status: 'open', partnerStatus: 'new', updatedAt: iso(T0) });
    const outcome = await openPartnerIncident(deps, escalation.escalationId);
    expect(outcome).not.toBe('opened');
    expect(await deps.store.findByTicket('acme-cloud', other.ticketId)).toBe(other.escalation.escalationId);
    const after = (await deps.store.getEscalation(escalation.escalationId))!;
    expect(after.partnerTicket).toBeNull();
    const conflict = (await deps.store.getTimeline(escalation.escalationId)).find((t) => t.type === 'partner_ticket_conflict');
    expect(conflict?.detail).toMatchObject({ ticketId: other.ticketId, ticketNumber: 'REUSED-1' });
    expect(measured).toContain('PartnerTicketConflicts:acme-cloud');
    // the other customer's escalation is untouched
    const untouched = (await deps.store.getEscalation(other.escalation.escalationId))!;
    expect(untouched.partnerTicket?.id).toBe(other.ticketId);
  });

  it('an engineer recording a ticket number another escalation of the partner holds gets 409, and the link stays', async () => {
    const { deps, measured, partner } = setup();
    partner.mode = 'manual';
    const flag = async () => (await flagEscalation(deps, { caseId: uid('CASE'), customerId: 'acme', platform: 'acme', severity: 'high', summary: 's', findings: 'f' }, 'eng')).escalation;
    const [a, b] = [await flag(), await flag()];
    const number = uid('INC');
    await recordPartnerTicket(deps, a.escalationId, { number }, 'eng-1');
    await expect(recordPartnerTicket(deps, b.escalationId, { number }, 'eng-2')).rejects.toBeInstanceOf(ConflictError);
    expect(await deps.store.findByTicket('acme-cloud', number)).toBe(a.escalationId);
    expect((await deps.store.getEscalation(b.escalationId))!.partnerTicket).toBeNull();
    expect((await deps.store.getTimeline(b.escalationId)).some((t) => t.type === 'partner_ticket_conflict')).toBe(true);
    expect(measured).toContain('PartnerTicketConflicts:acme-cloud');
  });
});
