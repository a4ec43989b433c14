import { silentLog, type HubDeps } from '../../core/deps';
import { PartnerCallError } from '../../core/errors';
import type { PartnerIncident, TicketingConnector } from '../../core/ports';
import { pollPartners } from '../../core/use-cases/poll-partners';
import { documentClient } from '../../functions/adapters/clients';
import { DynamoEscalationStore } from '../../functions/adapters/dynamo-store';
import { LOCAL_TABLE, startDynalite } from '../../local/dynamo';
import { draftEscalation, FakeClock, RecordingBus, RecordingQueue, testConfig, uid } from '../support/fixtures';

let dynamo: Awaited<ReturnType<typeof startDynalite>>;
beforeAll(async () => { dynamo = await startDynalite('memory'); });
afterAll(() => dynamo.close());

/** A partner that can only be polled: it lists incidents changed after a cursor. */
class PolledPartner implements Partial<TicketingConnector> {
  changes: PartnerIncident[] = [];
  cursors: (string | undefined)[] = [];
  fail = false;
  async listUpdatedSince(cursor: string | undefined) {
    this.cursors.push(cursor);
    if (this.fail) throw new PartnerCallError('HTTP 503', true, 503);
    const incidents = this.changes.filter((c) => cursor === undefined || c.updatedAt > cursor);
    return { incidents, cursor: incidents.at(-1)?.updatedAt ?? cursor ?? '' };
  }
}

it('polls each partner at most once per interval, applies what changed and moves the cursor only after success', async () => {
  const partner = new PolledPartner();
  const clock = new FakeClock(Date.now());
  const deps: HubDeps = {
    config: testConfig('http://127.0.0.1:1', { id: uid('p').toLowerCase(), pollIntervalSeconds: 60 }),
    store: new DynamoEscalationStore(documentClient(dynamo.client), LOCAL_TABLE),
    bus: new RecordingBus(), queue: new RecordingQueue(), clock,
    connectors: { ticketing: () => partner as unknown as TicketingConnector, collaboration: () => undefined, serviceHealth: () => undefined },
    newId: () => uid('esc'), random: () => 0.5, log: silentLog,
  };
  const partnerId = deps.config.partners[0]!.id;
  const { escalation } = await deps.store.createEscalation(
    draftEscalation({ partnerId, status: 'open', partnerTicket: { id: 'INC1', number: 'INC0010001' } }),
    { findings: 'f', customerContact: null },
  );
  await deps.store.putTicketLink(partnerId, 'INC1', escalation.escalationId);
  partner.changes = [{ id: 'INC1', number: 'INC0010001', status: 'in_progress', partnerStatus: '2', updatedAt: '2026-11-25T10:00:00.000Z' }];

  expect(await pollPartners(deps)).toEqual({ [partnerId]: 1 });
  expect((await deps.store.getEscalation(escalation.escalationId))!.status).toBe('in_progress');
  expect(await pollPartners(deps)).toEqual({}); // within the interval: not polled

  clock.advance(61_000);
  partner.fail = true;
  expect(String((await pollPartners(deps))[partnerId])).toMatch(/failed/);
  partner.fail = false;
  partner.changes.push({ id: 'INC1', number: 'INC0010001', status: 'resolved', partnerStatus: '6', updatedAt: '2026-11-25T11:00:00.000Z', comment: 'Fixed in 4.1.1' });
  expect(await pollPartners(deps)).toEqual({ [partnerId]: 1 });
  expect(partner.cursors).toEqual([undefined, '2026-11-25T10:00:00.000Z', '2026-11-25T10:00:00.000Z']);
  expect((await deps.store.getEscalation(escalation.escalationId))!.status).toBe('resolved');
  // what the partner wrote with a listed update (TSANet: a rejection's reason, a question, a note) enters the timeline
  const said = (await deps.store.getTimeline(escalation.escalationId)).filter((t) => t.type === 'partner_comment').map((t) => t.detail.body);
  expect(said).toEqual(['Fixed in 4.1.1']);
});
