import { manualConnector } from '../../connectors/manual/ticketing';
import { parseHubConfig } from '../../core/config';
import { silentLog, type HubDeps } from '../../core/deps';
import { ConflictError, InvalidSignatureError, PartnerCallError, PartnerUnavailableError } from '../../core/errors';
import type { CollaborationConnector, JointCallRequest } from '../../core/ports';
import { flagEscalation } from '../../core/use-cases/flag-escalation';
import { ingestCollaborationWebhook, scheduleJointCall } from '../../core/use-cases/joint-calls';
import { openPartnerIncident } from '../../core/use-cases/open-partner-incident';
import { recordPartnerTicket } from '../../core/use-cases/record-partner-ticket';
import { forwardComments, addComment } from '../../core/use-cases/comments';
import { sweep } from '../../core/use-cases/sweep';
import { documentClient } from '../../functions/adapters/clients';
import { DynamoEscalationStore } from '../../functions/adapters/dynamo-store';
import { LOCAL_TABLE, startDynalite } from '../../local/dynamo';
import { FakeClock, RecordingBus, RecordingQueue, uid } from '../support/fixtures';
import { fullConnector } from '../support/connector-harness';

/** A meeting provider that answers as scripted and records every request. */
class FakeMeetings implements CollaborationConnector {
  readonly provider = 'teams';
  readonly requests: JointCallRequest[] = [];
  fail: PartnerCallError | undefined;
  async scheduleJointCall(req: JointCallRequest) {
    this.requests.push(req);
    if (this.fail) throw this.fail;
    return { provider: 'teams', meetingId: `m-${req.externalId}`, joinUrl: `https://teams.example/join/${req.externalId}` };
  }
  verifyWebhook(req: { headers: Record<string, string | undefined>; query: Record<string, string | undefined> }) {
    if (req.query.validationToken) return { kind: 'challenge' as const, status: 200, contentType: 'text/plain', body: req.query.validationToken };
    return req.headers['x-ok'] === 'yes' ? { kind: 'ok' as const, deliveryId: req.headers['x-id'] ?? 'd' } : { kind: 'rejected' as const, reason: 'clientState mismatch' };
  }
  parseWebhook(req: { body: string | Uint8Array }) {
    return (JSON.parse(Buffer.from(req.body).toString('utf8')) as { meetingId: string; type: string }[]).map((e) => ({ ...e, at: '2026-11-25T10:00:00.000Z', detail: {} }));
  }
}

let dynamo: Awaited<ReturnType<typeof startDynalite>>;
beforeAll(async () => { dynamo = await startDynalite('memory'); });
afterAll(() => dynamo.close());

function setup() {
  const config = parseHubConfig({ partners: [
    { id: 'microsoft', name: 'Microsoft', platforms: ['teams'], connector: 'manual', baseUrl: 'https://partner.microsoft.com', portalUrl: 'https://partner.microsoft.com/support' },
  ] }, {});
  const meetings = new FakeMeetings();
  const deps: HubDeps = {
    config,
    store: new DynamoEscalationStore(documentClient(dynamo.client), LOCAL_TABLE),
    bus: new RecordingBus(), queue: new RecordingQueue(), clock: new FakeClock(Date.now()),
    connectors: { ticketing: () => fullConnector(manualConnector, config.partners[0]!), collaboration: () => meetings, serviceHealth: () => undefined },
    newId: () => uid('esc'), random: () => 0.5, log: silentLog,
  };
  const flag = async () => (await flagEscalation(deps, {
    caseId: uid('CASE'), customerId: 'acme', platform: 'teams', severity: 'critical', summary: 'Teams Rooms audio', findings: 'logs',
  }, 'eng-1')).escalation;
  return { deps, meetings, flag, bus: deps.bus as RecordingBus };
}

/** A start time `days` ahead of the hub's own clock, so the test holds on any date. */
const inDays = (deps: HubDeps, days: number) => new Date(deps.clock.now().getTime() + days * 86_400_000).toISOString();

describe('manual partners', () => {
  it('waits for the engineer: no partner call, not re-driven by the sweep, then tracks the typed-in ticket', async () => {
    const { deps, flag, bus } = setup();
    const esc = await flag();
    expect(esc.ticketMode).toBe('manual');
    expect(await openPartnerIncident(deps, esc.escalationId)).toBe('skipped');
    (deps.clock as FakeClock).advance(3600_000);
    await sweep(deps);
    expect((deps.queue as RecordingQueue).messages).toEqual([]);

    const recorded = await recordPartnerTicket(deps, esc.escalationId, { number: '2411250040001234', url: 'https://partner.microsoft.com/sr/1234' }, 'eng-1');
    expect(recorded).toMatchObject({ status: 'open', partnerTicket: { number: '2411250040001234' } });
    expect(await deps.store.findByTicket('microsoft', '2411250040001234')).toBe(esc.escalationId);
    expect(bus.events.map((e) => e.detailType)).toContain('PartnerTicketRecorded');
    await expect(recordPartnerTicket(deps, esc.escalationId, { number: 'again' }, 'eng-1')).rejects.toBeInstanceOf(ConflictError);
  });

  it('keeps comments in the timeline instead of forwarding them', async () => {
    const { deps, flag } = setup();
    const esc = await flag();
    await recordPartnerTicket(deps, esc.escalationId, { number: 'SR-1' }, 'eng-1');
    await addComment(deps, (await deps.store.getEscalation(esc.escalationId))!, 'copy me to the portal', 'eng-1');
    expect(await forwardComments(deps, esc.escalationId)).toBe(0);
    expect((await deps.store.getTimeline(esc.escalationId)).some((t) => t.type === 'comment')).toBe(true);
  });
});

describe('joint calls', () => {
  it('schedules through the collaboration connector with a stable external id and records it', async () => {
    const { deps, flag, meetings, bus } = setup();
    const esc = await flag();
    const startTime = inDays(deps, 7);
    const call = await scheduleJointCall(deps, esc, { startTime, durationMinutes: 45 }, 'eng-1');
    expect(call).toMatchObject({ provider: 'teams', joinUrl: expect.stringContaining('https://') });
    const again = await scheduleJointCall(deps, esc, { startTime, durationMinutes: 45 }, 'eng-1');
    expect(again).toEqual(call);
    expect(meetings.requests).toHaveLength(1); // a retried request is answered from the record, not scheduled twice
    expect(meetings.requests[0]).toMatchObject({ startTime, durationMinutes: 45 });
    expect(meetings.requests[0]!.agenda).not.toContain('logs');
    const timeline = await deps.store.getTimeline(esc.escalationId);
    expect(timeline.filter((t) => t.type === 'joint_call_scheduled')).toHaveLength(1);
    expect(bus.events.some((e) => e.detailType === 'JointCallScheduled')).toBe(true);
  });

  it('says 409 without a collaboration connector and 502 when the provider fails', async () => {
    const { deps, flag, meetings } = setup();
    const esc = await flag();
    meetings.fail = new PartnerCallError('HTTP 503', true, 503);
    await expect(scheduleJointCall(deps, esc, {}, 'eng-1')).rejects.toBeInstanceOf(PartnerUnavailableError);
    const none = { ...deps, connectors: { ...deps.connectors, collaboration: () => undefined, serviceHealth: () => undefined } };
    await expect(scheduleJointCall(none, esc, {}, 'eng-1')).rejects.toBeInstanceOf(ConflictError);
  });

  it('answers handshakes, refuses bad deliveries, and records meeting events once in the timeline', async () => {
    const { deps, flag } = setup();
    const esc = await flag();
    const call = await scheduleJointCall(deps, esc, { startTime: inDays(deps, 8) }, 'eng-1');
    expect(await ingestCollaborationWebhook(deps, 'microsoft', { headers: {}, body: '', query: { validationToken: 'abc 123' } }))
      .toEqual({ kind: 'challenge', status: 200, contentType: 'text/plain', body: 'abc 123' });
    await expect(ingestCollaborationWebhook(deps, 'microsoft', { headers: {}, body: '[]', query: {} })).rejects.toBeInstanceOf(InvalidSignatureError);
    const delivery = { headers: { 'x-ok': 'yes', 'x-id': uid('d') }, body: JSON.stringify([{ meetingId: call.meetingId, type: 'meeting.started' }, { meetingId: 'unknown', type: 'meeting.started' }]), query: {} };
    expect(await ingestCollaborationWebhook(deps, 'microsoft', delivery)).toMatchObject({ kind: 'recorded', events: 1 });
    expect(await ingestCollaborationWebhook(deps, 'microsoft', delivery)).toMatchObject({ kind: 'duplicate' });
    const events = (await deps.store.getTimeline(esc.escalationId)).filter((t) => t.type === 'joint_call_event');
    expect(events).toHaveLength(1);
    expect(events[0]!.detail).toMatchObject({ meetingId: call.meetingId, event: 'meeting.started' });
  });
});
