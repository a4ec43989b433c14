/**
 * The meeting-subscriptions schedule with an injected clock (shared by the hub and the Teams sandbox):
 * create when due, nothing while nothing is due, renew before expiry, stop after the meeting, re-create
 * what Graph forgot, back off on failures, and act on lifecycle notifications. The schedule is run by
 * hand (`runSchedule`); its timer is set far beyond the test. No sleeps: every step awaits its own run.
 */
import { startTeamsSandbox, type TeamsSandbox } from '../../connectors/teams/sandbox';
import { MEETING_SUBSCRIPTION_MAX_MINUTES } from '../../connectors/teams/collaboration';
import { parseHubConfig } from '../../core/config';
import { silentLog } from '../../core/deps';
import type { MeetingSubscription } from '../../core/ports';
import { RENEW_AHEAD_MS, SUBSCRIPTION_GRACE_MS } from '../../core/use-cases/meeting-subscriptions';
import { startLocalHub, type LocalHub } from '../../local/hub';
import { FakeClock, uid } from '../support/fixtures';
import { engineerToken, http, JWT_SECRET, waitFor } from '../support/local-hub';

const CREDS = { tenantId: 'tenant', clientId: 'client', clientSecret: 'secret' };
const CLIENT_STATE = 'state-subs-schedule';
const HOUR = 3600_000;
const clock = new FakeClock();
let sandbox: TeamsSandbox;
let hub: LocalHub;

beforeAll(async () => {
  sandbox = await startTeamsSandbox({ ...CREDS, organizerUserId: 'organizer', clientState: CLIENT_STATE, clock, deliverWithoutSubscription: false });
  const config = parseHubConfig({ partners: [{
    id: 'microsoft', name: 'Microsoft', platforms: ['teams'], connector: 'manual', baseUrl: 'https://ms.example', portalUrl: 'https://ms.example',
    collaboration: {
      connector: 'teams', graphUrl: `${sandbox.baseUrl}/v1.0`, loginUrl: sandbox.baseUrl, credentials: CREDS, organizerUserId: 'organizer', clientState: CLIENT_STATE,
    },
  }] }, {});
  hub = await startLocalHub({ config, dataDir: 'memory', jwtSecret: JWT_SECRET, log: silentLog, clock, sweepIntervalMs: 24 * HOUR });
});
afterAll(async () => {
  await hub.stop();
  await sandbox.close();
});
beforeEach(() => { sandbox.faults.length = 0; });

const run = () => hub.runSchedule('meeting-subscriptions') as Promise<Record<string, string>>;
const at = (ms: number) => new Date(clock.now().getTime() + ms).toISOString();
const record = async (meetingId: string) => (await hub.deps.store.getMeetingSubscription('microsoft', meetingId))!;
const timeline = async (id: string) => (await http(hub.url, 'GET', `/v1/escalations/${id}`, { token: engineerToken() })).json.timeline as { type: string; detail: Record<string, unknown> }[];
const graphCalls = (method: string, since: number) => sandbox.calls.slice(since).filter((c) => c.method === method && c.path.includes('/subscriptions'));

/** Flags a case and schedules a joint call `startsIn` from now, lasting an hour. */
async function jointCall(startsIn: number) {
  const { json: esc } = await http(hub.url, 'POST', '/v1/escalations', {
    token: engineerToken(), body: { caseId: uid('CASE'), customerId: 'acme', platform: 'teams', severity: 'high', summary: 'Rooms audio', findings: 'logs' },
  });
  const r = await http(hub.url, 'POST', `/v1/escalations/${esc.escalationId}/joint-calls`, { token: engineerToken(), body: { startTime: at(startsIn), durationMinutes: 60 } });
  expect(r.status).toBe(201);
  return { escalationId: esc.escalationId as string, meetingId: r.json.meetingId as string, joinUrl: r.json.joinUrl as string, stopAt: at(startsIn + HOUR + SUBSCRIPTION_GRACE_MS) };
}

/** Runs the schedule until this meeting's record is settled (other tests' records may be due too). */
async function runFor(meetingId: string): Promise<MeetingSubscription> {
  const result = await run();
  expect(Object.keys(result)).toContain(`microsoft/${meetingId}`);
  return record(meetingId);
}

describe('meeting-subscriptions schedule (injected clock)', () => {
  it('creates when the call is scheduled, does nothing until due, renews before expiry, and ends after the meeting', async () => {
    const call = await jointCall(7 * 24 * HOUR); // a week ahead: longer than one subscription lives
    expect(await record(call.meetingId)).toMatchObject({ action: 'create', dueAt: clock.now().toISOString(), stopAt: call.stopAt, state: 'active' });
    expect(sandbox.subscriptions.size === 0 || ![...sandbox.subscriptions.values()].some((s) => s.resource.includes(call.joinUrl))).toBe(true);

    const created = await runFor(call.meetingId);
    const maxExpiry = at(MEETING_SUBSCRIPTION_MAX_MINUTES * 60_000);
    expect(created).toMatchObject({ action: 'renew', expiresAt: maxExpiry, dueAt: new Date(Date.parse(maxExpiry) - RENEW_AHEAD_MS).toISOString(), failures: 0 });
    expect(sandbox.subscriptions.get(created.subscriptionId!)).toMatchObject({ expirationDateTime: maxExpiry, clientState: CLIENT_STATE });

    // an hour later nothing is due: the run reads nothing and calls Graph for nothing
    clock.advance(HOUR);
    const mark = sandbox.calls.length;
    expect(await run()).toEqual({});
    expect(sandbox.calls.length).toBe(mark);

    // at its due time: one PATCH to the longest lifetime from now
    clock.advance(Date.parse(created.dueAt!) - clock.now().getTime());
    const renewed = await runFor(call.meetingId);
    expect(graphCalls('PATCH', mark)).toHaveLength(1);
    expect(renewed.subscriptionId).toBe(created.subscriptionId);
    expect(renewed.expiresAt).toBe(at(MEETING_SUBSCRIPTION_MAX_MINUTES * 60_000));
    expect(sandbox.subscriptions.get(created.subscriptionId!)!.expirationDateTime).toBe(renewed.expiresAt);

    // the next renewal reaches the stop time (meeting end + grace): no further renewal, then deletion
    clock.advance(Date.parse(renewed.dueAt!) - clock.now().getTime());
    const last = await runFor(call.meetingId);
    expect(last.expiresAt).toBe(call.stopAt);
    expect(last.dueAt).toBe(call.stopAt);
    clock.advance(Date.parse(call.stopAt) - clock.now().getTime());
    const ended = await runFor(call.meetingId);
    expect(ended).toMatchObject({ state: 'ended' });
    expect(ended.dueAt).toBeUndefined();
    expect(sandbox.subscriptions.has(created.subscriptionId!)).toBe(false);
    const after = sandbox.calls.length;
    clock.advance(4 * 24 * HOUR);
    expect(Object.keys(await run())).not.toContain(`microsoft/${call.meetingId}`);
    expect(graphCalls('PATCH', after)).toHaveLength(0);
  });

  it('creates a subscription again when Graph no longer knows it at renewal, and notes it in the timeline', async () => {
    const call = await jointCall(4 * 24 * HOUR);
    const first = await runFor(call.meetingId);
    sandbox.subscriptions.delete(first.subscriptionId!); // Graph lost it
    clock.advance(Date.parse(first.dueAt!) - clock.now().getTime());
    const again = await runFor(call.meetingId);
    expect(again.subscriptionId).not.toBe(first.subscriptionId);
    expect(sandbox.subscriptions.has(again.subscriptionId!)).toBe(true);
    expect((await timeline(call.escalationId)).some((t) => t.type === 'joint_call_subscription_recreated' && t.detail.previousSubscriptionId === first.subscriptionId)).toBe(true);
    // lifecycle notifications now find the record by the new id
    expect((await hub.deps.store.findMeetingSubscriptionById('microsoft', again.subscriptionId!))?.meetingId).toBe(call.meetingId);
  });

  it('adopts the subscription an interrupted run created instead of creating a second', async () => {
    const call = await jointCall(2 * HOUR);
    // a run that created the subscription and died before saving it
    const orphan = await hub.deps.connectors.collaboration('microsoft')!.subscriptions!.create({
      resource: `/communications/onlineMeetings/?$filter=JoinWebUrl eq '${call.joinUrl}'`,
      notificationUrl: `${hub.url}/v1/webhooks/microsoft/collaboration`, lifecycleNotificationUrl: `${hub.url}/v1/webhooks/microsoft/collaboration`, expiresAt: at(HOUR),
    });
    const result = await run();
    expect(result[`microsoft/${call.meetingId}`]).toBe('adopted');
    const rec = await record(call.meetingId);
    expect(rec.subscriptionId).toBe(orphan.id);
    expect(rec.expiresAt).toBe(call.stopAt); // extended to the stop time
    expect([...sandbox.subscriptions.values()].filter((s) => s.resource.includes(call.joinUrl))).toHaveLength(1);
  });

  it('backs off after a failure (and keeps the error), then succeeds', async () => {
    const call = await jointCall(2 * HOUR);
    sandbox.faults.push({ status: 503, match: (c) => c.method === 'GET' && c.path.endsWith('/subscriptions') });
    const failed = await run();
    expect(failed[`microsoft/${call.meetingId}`]).toMatch(/^failed: .*HTTP 503/);
    const rec = await record(call.meetingId);
    expect(rec).toMatchObject({ failures: 1, action: 'create', dueAt: at(60_000) });
    expect(rec.lastError).toMatch(/503/);
    expect(Object.keys(await run())).not.toContain(`microsoft/${call.meetingId}`); // not due yet
    clock.advance(60_000);
    expect(await runFor(call.meetingId)).toMatchObject({ failures: 0, action: 'renew', subscriptionId: expect.any(String) });
  });

  it('answers lifecycle notifications: reauthorizationRequired → reauthorized on the next run, missed → timeline, subscriptionRemoved → re-created', async () => {
    const call = await jointCall(2 * HOUR);
    const sub = await runFor(call.meetingId);
    const id = sub.subscriptionId!;

    expect((await sandbox.lifecycle(id, 'reauthorizationRequired')).status).toBe(200);
    expect(await record(call.meetingId)).toMatchObject({ action: 'reauthorize', dueAt: clock.now().toISOString() });
    expect(await runFor(call.meetingId)).toMatchObject({ action: 'renew', subscriptionId: id });
    expect(sandbox.subscriptions.get(id)!.reauthorized).toBe(1);

    clock.advance(60_000);
    expect((await sandbox.lifecycle(id, 'missed')).status).toBe(200);
    expect((await timeline(call.escalationId)).filter((t) => t.type === 'joint_call_events_missed')).toHaveLength(1);

    // a forged lifecycle notification changes nothing
    expect((await sandbox.lifecycle(id, 'subscriptionRemoved', { clientState: 'forged' })).status).toBe(401);
    expect((await record(call.meetingId)).dueAt).not.toBe(clock.now().toISOString());

    clock.advance(60_000);
    const other = await jointCall(3 * HOUR);
    const otherSub = await runFor(other.meetingId);
    expect((await sandbox.lifecycle(otherSub.subscriptionId!, 'subscriptionRemoved')).status).toBe(200);
    expect((await timeline(other.escalationId)).some((t) => t.type === 'joint_call_subscription_removed')).toBe(true);
    const recreated = await runFor(other.meetingId);
    expect(recreated.subscriptionId).not.toBe(otherSub.subscriptionId);
    expect((await sandbox.move(other.meetingId, 'CallStarted')).delivered).toBe(1);
  });

  it('keeps a lifecycle request that arrives while a run holds the subscription', async () => {
    const call = await jointCall(4 * 24 * HOUR);
    const first = await runFor(call.meetingId);
    clock.advance(Date.parse(first.dueAt!) - clock.now().getTime());
    // the renewal hangs, then fails; meanwhile Graph asks for reauthorization
    sandbox.faults.push({ status: 503, delayMs: 300, match: (c) => c.method === 'PATCH' && c.path.endsWith(first.subscriptionId!) });
    const mark = sandbox.calls.length;
    const running = run();
    await waitFor('the renewal in flight', async () => graphCalls('PATCH', mark).length > 0);
    expect((await sandbox.lifecycle(first.subscriptionId!, 'reauthorizationRequired')).status).toBe(200);
    expect((await running)[`microsoft/${call.meetingId}`]).toMatch(/^failed/);
    // the run's failure did not overwrite the request: reauthorize, due now (not after the backoff)
    expect(await record(call.meetingId)).toMatchObject({ action: 'reauthorize', dueAt: clock.now().toISOString() });
    await runFor(call.meetingId);
    expect(sandbox.subscriptions.get(first.subscriptionId!)!.reauthorized).toBe(1);
  });
});
