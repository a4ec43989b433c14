/**
 * Contract: the `teams` connector's Graph subscription calls against the Teams sandbox over HTTP (create
 * with Graph's validation handshake, find, renew, reauthorize, delete, removed → gone), and the lifecycle
 * notifications the sandbox sends, read by the connector's webhook half (clientState checked).
 * Sandbox and connector share one injected clock: no dependence on today's date.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MEETING_SUBSCRIPTION_MAX_MINUTES, meetingCallEventsResource, teamsConnector } from '../../connectors/teams/collaboration';
import { startTeamsSandbox, type TeamsSandbox } from '../../connectors/teams/sandbox';
import type { PartnerProfile } from '../../core/config';
import { PartnerCallError } from '../../core/errors';
import type { CollaborationConnector, MeetingSubscriptionApi, RawWebhook, SubscriptionLifecycleEvent } from '../../core/ports';
import { FakeClock, testConfig, uid } from '../support/fixtures';
import { fullConnector } from '../support/connector-harness';

const CREDS = { tenantId: 'contoso-tenant', clientId: 'hub-app', clientSecret: 'hub-app-secret' };
const ORGANIZER = 'organizer-object-id';
const CLIENT_STATE = 'hub-client-state-subs';
const profile: PartnerProfile = testConfig('http://127.0.0.1:1').partners[0]!;

let sandbox: TeamsSandbox;
let connector: CollaborationConnector;
let api: MeetingSubscriptionApi;
const clock = new FakeClock();

/** The hub's collaboration webhook, reduced to the connector's webhook half: handshakes, verdicts, lifecycle events. */
const received = { handshakes: 0, rejected: 0, lifecycle: [] as SubscriptionLifecycleEvent[], answerHandshakes: true };
let receiver: Server;
let hookUrl: string;

beforeAll(async () => {
  sandbox = await startTeamsSandbox({ ...CREDS, organizerUserId: ORGANIZER, clientState: CLIENT_STATE, clock, deliverWithoutSubscription: false });
  connector = fullConnector(teamsConnector, {
    ...profile, collaboration: {
      connector: 'teams', graphUrl: `${sandbox.baseUrl}/v1.0`, loginUrl: sandbox.baseUrl, credentials: CREDS, organizerUserId: ORGANIZER, clientState: CLIENT_STATE,
    },
  }, { clock });
  api = connector.subscriptions!;
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => { body += c.toString('utf8'); });
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://hub');
      const raw: RawWebhook = { headers: req.headers as Record<string, string>, body, query: Object.fromEntries(url.searchParams.entries()) };
      const verdict = connector.verifyWebhook(raw, clock.now());
      if (verdict.kind === 'challenge') {
        received.handshakes++;
        if (!received.answerHandshakes) { res.writeHead(500); return res.end(); }
        res.writeHead(verdict.status, { 'content-type': verdict.contentType });
        return res.end(verdict.body);
      }
      if (verdict.kind === 'rejected') { received.rejected++; res.writeHead(401); return res.end(); }
      received.lifecycle.push(...connector.lifecycleEvents!(raw));
      res.writeHead(202);
      res.end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/v1/webhooks/microsoft/collaboration`;
});
afterAll(async () => {
  await new Promise((r) => receiver.close(r));
  await sandbox.close();
});
beforeEach(() => { sandbox.faults.length = 0; received.answerHandshakes = true; });

async function meeting() {
  return connector.scheduleJointCall({ externalId: uid('call'), subject: 'Joint call', startTime: new Date(clock.now().getTime() + 3600_000).toISOString(), durationMinutes: 30, agenda: 'a' });
}
const inHours = (h: number) => new Date(clock.now().getTime() + h * 3600_000).toISOString();

describe('teams connector: Graph subscriptions against the sandbox', () => {
  it('creates one on the meeting call events resource after Graph\'s handshake, with clientState, on the beta endpoint', async () => {
    const call = await meeting();
    const before = received.handshakes;
    const sub = await api.create({ resource: api.resourceFor(call), notificationUrl: hookUrl, lifecycleNotificationUrl: hookUrl, expiresAt: inHours(48) });
    expect(sub).toEqual({ id: expect.any(String), resource: meetingCallEventsResource(call.joinUrl), expiresAt: inHours(48), notificationUrl: hookUrl });
    expect(received.handshakes - before).toBe(1); // one URL for both: one handshake
    const post = sandbox.calls.filter((c) => c.method === 'POST' && c.path === '/beta/subscriptions').at(-1)!;
    expect(JSON.parse(post.body)).toEqual({
      changeType: 'updated', notificationUrl: hookUrl, lifecycleNotificationUrl: hookUrl, resource: `/communications/onlineMeetings/?$filter=JoinWebUrl eq '${call.joinUrl}'`,
      expirationDateTime: inHours(48), clientState: CLIENT_STATE, includeResourceData: false,
    });
    // the meeting's events now go to that subscription, with its id and the clientState
    expect((await sandbox.move(call.meetingId, 'CallStarted'))).toMatchObject({ delivered: 1, status: 202 });
    expect(sandbox.deliveries.at(-1)).toMatchObject({ kind: 'change', subscriptionId: sub.id, url: hookUrl });
    expect(api.maxLifetimeMinutes).toBe(MEETING_SUBSCRIPTION_MAX_MINUTES);
  });

  it('is refused when the notification URL fails the handshake, or the expiry is beyond three days', async () => {
    const call = await meeting();
    received.answerHandshakes = false;
    const failed = await api.create({ resource: api.resourceFor(call), notificationUrl: hookUrl, lifecycleNotificationUrl: hookUrl, expiresAt: inHours(24) }).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(PartnerCallError);
    expect((failed as PartnerCallError).httpStatus).toBe(400);
    expect((failed as PartnerCallError).message).toMatch(/validation request failed/);
    received.answerHandshakes = true;
    const tooLong = await api.create({ resource: api.resourceFor(call), notificationUrl: hookUrl, lifecycleNotificationUrl: hookUrl, expiresAt: inHours(73) }).catch((e: unknown) => e);
    expect((tooLong as PartnerCallError).httpStatus).toBe(400);
    expect([...sandbox.subscriptions.values()].some((s) => s.resource === api.resourceFor(call))).toBe(false);
    // the longest lifetime the connector asks for is accepted
    const longest = new Date(clock.now().getTime() + MEETING_SUBSCRIPTION_MAX_MINUTES * 60_000).toISOString();
    await expect(api.create({ resource: api.resourceFor(call), notificationUrl: hookUrl, lifecycleNotificationUrl: hookUrl, expiresAt: longest })).resolves.toMatchObject({ expiresAt: longest });
  });

  it('finds its own live subscription by resource and notification URL (adopting one after a crash), not another\'s', async () => {
    const call = await meeting();
    const resource = api.resourceFor(call);
    expect(await api.find(resource, hookUrl)).toBeUndefined();
    const sub = await api.create({ resource, notificationUrl: hookUrl, lifecycleNotificationUrl: hookUrl, expiresAt: inHours(10) });
    expect(await api.find(resource, hookUrl)).toMatchObject({ id: sub.id });
    expect(await api.find(resource, `${hookUrl}-other`)).toBeUndefined();
    clock.advance(11 * 3600_000); // expired: Graph no longer lists it
    expect(await api.find(resource, hookUrl)).toBeUndefined();
  });

  it('renews (PATCH expirationDateTime), reauthorizes, deletes; an unknown one answers 404', async () => {
    const call = await meeting();
    const sub = await api.create({ resource: api.resourceFor(call), notificationUrl: hookUrl, lifecycleNotificationUrl: hookUrl, expiresAt: inHours(2) });
    const renewed = await api.renew(sub.id, inHours(60));
    expect(renewed).toMatchObject({ id: sub.id, expiresAt: inHours(60) });
    expect(sandbox.subscriptions.get(sub.id)!.expirationDateTime).toBe(inHours(60));
    await api.reauthorize(sub.id);
    expect(sandbox.subscriptions.get(sub.id)!.reauthorized).toBe(1);
    await api.remove(sub.id);
    expect(sandbox.subscriptions.has(sub.id)).toBe(false);
    await expect(api.remove(sub.id)).resolves.toBeUndefined(); // already gone counts as deleted
    for (const gone of [api.renew(sub.id, inHours(3)), api.reauthorize(sub.id)]) {
      const err = await gone.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PartnerCallError);
      expect((err as PartnerCallError).httpStatus).toBe(404);
    }
  });

  it('retries on a 401 with a new token and surfaces Graph throttling as transient', async () => {
    const call = await meeting();
    sandbox.revokeTokens();
    const sub = await api.create({ resource: api.resourceFor(call), notificationUrl: hookUrl, lifecycleNotificationUrl: hookUrl, expiresAt: inHours(5) });
    sandbox.faults.push({ status: 429, headers: { 'retry-after': '7' }, match: (c) => c.method === 'PATCH' });
    const err = await api.renew(sub.id, inHours(6)).catch((e: unknown) => e) as PartnerCallError;
    expect(err).toMatchObject({ transient: true, httpStatus: 429, retryAfterMs: 7000 });
  });
});

describe('teams connector: lifecycle notifications from the sandbox', () => {
  it('reads reauthorizationRequired, missed and subscriptionRemoved (which also ends the subscription), with clientState checked', async () => {
    const call = await meeting();
    const sub = await api.create({ resource: api.resourceFor(call), notificationUrl: hookUrl, lifecycleNotificationUrl: hookUrl, expiresAt: inHours(30) });
    received.lifecycle.length = 0;
    for (const event of ['reauthorizationRequired', 'missed', 'subscriptionRemoved'] as const) {
      expect((await sandbox.lifecycle(sub.id, event)).status).toBe(202);
    }
    expect(received.lifecycle).toEqual([
      { subscriptionId: sub.id, event: 'reauthorizationRequired' }, { subscriptionId: sub.id, event: 'missed' }, { subscriptionId: sub.id, event: 'subscriptionRemoved' },
    ]);
    expect(sandbox.subscriptions.has(sub.id)).toBe(false);
    expect((await sandbox.move(call.meetingId, 'CallStarted')).delivered).toBe(0); // removed: nothing is delivered any more

    const other = await api.create({ resource: api.resourceFor(call), notificationUrl: hookUrl, lifecycleNotificationUrl: hookUrl, expiresAt: inHours(30) });
    const rejectedBefore = received.rejected;
    expect((await sandbox.lifecycle(other.id, 'reauthorizationRequired', { clientState: 'forged' })).status).toBe(401);
    expect(received.rejected).toBe(rejectedBefore + 1);
    expect(received.lifecycle).toHaveLength(3);
  });

  it('gives the same lifecycle notification received a day apart two delivery ids, a quick retry one', () => {
    const body = JSON.stringify({ value: [{ subscriptionId: 's-1', clientState: CLIENT_STATE, lifecycleEvent: 'reauthorizationRequired', subscriptionExpirationDateTime: inHours(5) }] });
    const id = (at: Date) => { const v = connector.verifyWebhook({ headers: {}, body, query: {} }, at); if (v.kind !== 'ok') throw new Error(v.kind); return v.deliveryId; };
    const t = clock.now();
    expect(id(new Date(t.getTime() + 1000 * (59 - t.getUTCSeconds())))).toBe(id(t));
    expect(id(new Date(t.getTime() + 24 * 3600_000))).not.toBe(id(t));
    expect(connector.parseWebhook({ headers: {}, body, query: {} })).toEqual([]); // not a meeting event
  });
});
