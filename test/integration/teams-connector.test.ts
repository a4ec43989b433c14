/**
 * The `teams` collaboration connector against its sandbox (Entra ID token endpoint + Graph createOrGet)
 * over HTTP, and Graph change notifications delivered to a small receiver that calls the connector as
 * the hub's webhook route does.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { teamsConnector as teamsHalf, type TeamsConnectorOptions } from '../../connectors/teams/collaboration';
import { startTeamsSandbox, type TeamsSandbox } from '../../connectors/teams/sandbox';
import type { PartnerProfile } from '../../core/config';
import { ConfigError, ValidationError } from '../../core/errors';
import type { CollaborationConnector } from '../../core/ports';
import { FakeClock, testConfig, uid } from '../support/fixtures';
import { failure, fullConnector, startCollaborationReceiver } from '../support/connector-harness';

// the whole connector (partner calls and webhooks), as the registries compose it
const teamsConnector = (p: PartnerProfile, options?: TeamsConnectorOptions) => fullConnector(teamsHalf, p, options);

const CREDS = { tenantId: 'contoso-tenant', clientId: 'hub-app', clientSecret: 'hub-app-secret' };
const ORGANIZER = 'organizer-object-id';
const CLIENT_STATE = 'hub-client-state-6b1d';

let sandbox: TeamsSandbox;
const profile: PartnerProfile = testConfig('http://127.0.0.1:1').partners[0]!;
const settings = (over: Record<string, unknown> = {}) => ({
  connector: 'teams', graphUrl: `${sandbox.baseUrl}/v1.0`, loginUrl: sandbox.baseUrl,
  credentials: CREDS, organizerUserId: ORGANIZER, clientState: CLIENT_STATE, ...over,
});
const request = (externalId = uid('call')) => ({
  externalId, subject: 'Joint call: audio drops in Teams Rooms', startTime: '2026-11-25T15:00:00.000Z', durationMinutes: 45, agenda: 'CASE-1001',
});


beforeAll(async () => { sandbox = await startTeamsSandbox({ ...CREDS, organizerUserId: ORGANIZER, clientState: CLIENT_STATE }); });
afterAll(() => sandbox.close());
beforeEach(() => { sandbox.faults.length = 0; });

describe('teams connector: tokens', () => {
  it('fetches one client-credentials token, reuses it, and fetches a new one once it nears expiry', async () => {
    const clock = new FakeClock();
    const c = teamsConnector({ ...profile, collaboration: settings() }, { clock });
    const before = sandbox.tokenRequests;
    await c.scheduleJointCall(request());
    await Promise.all([c.scheduleJointCall(request()), c.scheduleJointCall(request())]);
    expect(sandbox.tokenRequests - before).toBe(1);
    clock.advance(50 * 60_000); // 50 of the token's 60 minutes: still cached
    await c.scheduleJointCall(request());
    expect(sandbox.tokenRequests - before).toBe(1);
    clock.advance(6 * 60_000); // within five minutes of expiry: refreshed
    await c.scheduleJointCall(request());
    expect(sandbox.tokenRequests - before).toBe(2);
    const tokenCall = sandbox.calls.filter((x) => x.path.endsWith('/oauth2/v2.0/token')).at(-1)!;
    expect(tokenCall.path).toBe(`/${CREDS.tenantId}/oauth2/v2.0/token`);
    expect(Object.fromEntries(new URLSearchParams(tokenCall.body))).toEqual({
      client_id: CREDS.clientId, client_secret: CREDS.clientSecret, scope: 'https://graph.microsoft.com/.default', grant_type: 'client_credentials',
    });
  });

  it('on a 401 from Graph drops the token and retries once with a new one', async () => {
    const c = teamsConnector({ ...profile, collaboration: settings() });
    await c.scheduleJointCall(request());
    const before = sandbox.tokenRequests;
    sandbox.revokeTokens();
    const call = await c.scheduleJointCall(request());
    expect(call.joinUrl).toMatch(/meetup-join/);
    expect(sandbox.tokenRequests - before).toBe(1);
  });

  it('a persistent 401 is final, and so is a refused client secret', async () => {
    sandbox.faults.push(
      { status: 401, match: (x) => x.path.includes('createOrGet') },
      { status: 401, match: (x) => x.path.includes('createOrGet') },
    );
    const twice = await failure(teamsConnector({ ...profile, collaboration: settings() }).scheduleJointCall(request()));
    expect({ transient: twice.transient, status: twice.httpStatus }).toEqual({ transient: false, status: 401 });
    const wrong = teamsConnector({ ...profile, collaboration: settings({ credentials: { ...CREDS, clientSecret: 'nope' } }) });
    const err = await failure(wrong.scheduleJointCall(request()));
    expect({ transient: err.transient, status: err.httpStatus }).toEqual({ transient: false, status: 401 });
    expect(err.message).toMatch(/get Graph token/);
    expect(err.message).not.toContain('nope');
  });
});

describe('teams connector: createOrGet', () => {
  it('creates the meeting with the request externalId, times and subject, and returns the join URL', async () => {
    const c = teamsConnector({ ...profile, collaboration: settings() });
    const req = request();
    const call = await c.scheduleJointCall(req);
    expect(call.provider).toBe('teams');
    const stored = sandbox.meetings.get(call.meetingId)!;
    expect(stored).toMatchObject({
      externalId: req.externalId, subject: req.subject, organizerUserId: ORGANIZER,
      startDateTime: '2026-11-25T15:00:00.000Z', endDateTime: '2026-11-25T15:45:00.000Z',
    });
    expect(call.joinUrl).toBe(stored.joinWebUrl);
    const sent = JSON.parse(sandbox.calls.filter((x) => x.path.endsWith('/createOrGet')).at(-1)!.body) as Record<string, unknown>;
    expect(Object.keys(sent).sort()).toEqual(['endDateTime', 'externalId', 'startDateTime', 'subject']);
    expect((await fetch(call.joinUrl)).status).toBe(200);
  });

  it('is idempotent by externalId: a retry gets the same meeting (200) and no second one is made', async () => {
    const c = teamsConnector({ ...profile, collaboration: settings() });
    const req = request();
    const first = await c.scheduleJointCall(req);
    const again = await teamsConnector({ ...profile, collaboration: settings() }).scheduleJointCall(req); // another process, same request
    expect(again).toEqual(first);
    expect([...sandbox.meetings.values()].filter((m) => m.externalId === req.externalId)).toHaveLength(1);
    const other = await c.scheduleJointCall(request());
    expect(other.meetingId).not.toBe(first.meetingId);
  });

  it('classifies failures: 429 with Retry-After and 5xx transient, other 4xx final, an odd answer uncertain', async () => {
    const c = teamsConnector({ ...profile, collaboration: settings() });
    sandbox.faults.push({ status: 429, headers: { 'retry-after': '12' }, match: (x) => x.path.includes('createOrGet') });
    const limited = await failure(c.scheduleJointCall(request()));
    expect({ transient: limited.transient, status: limited.httpStatus, retryAfterMs: limited.retryAfterMs }).toEqual({ transient: true, status: 429, retryAfterMs: 12_000 });
    sandbox.faults.push({ status: 503, match: (x) => x.path.includes('createOrGet') });
    expect((await failure(c.scheduleJointCall(request()))).transient).toBe(true);
    sandbox.faults.push({ status: 400, match: (x) => x.path.includes('createOrGet') });
    expect((await failure(c.scheduleJointCall(request()))).transient).toBe(false);
    const stranger = await failure(teamsConnector({ ...profile, collaboration: settings({ organizerUserId: 'someone-else' }) }).scheduleJointCall(request()));
    expect({ transient: stranger.transient, status: stranger.httpStatus }).toEqual({ transient: false, status: 403 });

    const odd = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(req.url?.includes('oauth2') ? '{"access_token":"t","expires_in":3599}' : '{"id":"x"}');
    });
    await new Promise<void>((r) => odd.listen(0, '127.0.0.1', r));
    const oddUrl = `http://127.0.0.1:${(odd.address() as AddressInfo).port}`;
    const err = await failure(teamsConnector({ ...profile, collaboration: settings({ graphUrl: oddUrl, loginUrl: oddUrl }) }).scheduleJointCall(request()));
    expect(err.transient).toBe(true);
    expect(err.message).toMatch(/unexpected answer/);
    await new Promise((r) => odd.close(r));
    const closed = await failure(teamsConnector({ ...profile, collaboration: settings({ graphUrl: 'http://127.0.0.1:1', loginUrl: 'http://127.0.0.1:1' }) }).scheduleJointCall(request()));
    expect(closed.transient).toBe(true);
  });

  it('refuses settings that cannot work, naming the field', () => {
    expect(() => teamsConnector({ ...profile, collaboration: settings({ credentials: { tenantId: 't', clientSecret: 's' } }) }))
      .toThrow(new ConfigError('partners[acme-cloud].collaboration.credentials.clientId: clientId is required'));
    expect(() => teamsConnector({ ...profile, collaboration: settings({ clientState: undefined }) })).toThrow(/collaboration\.clientState: clientState is required/);
    expect(() => teamsConnector({ ...profile, collaboration: settings({ clientState: 'x'.repeat(129) }) })).toThrow(/clientState: .*128/);
    expect(() => teamsConnector({ ...profile, collaboration: settings({ graphUrl: 'ftp://graph' }) })).toThrow(/collaboration\.graphUrl/);
    expect(() => teamsConnector({ ...profile, collaboration: settings({ organizerUserId: '' }) })).toThrow(/collaboration\.organizerUserId/);
    const { graphUrl: _g, loginUrl: _l, ...minimal } = settings();
    expect(teamsConnector({ ...profile, collaboration: minimal }).provider).toBe('teams'); // defaults fill the URLs
  });
});

describe('teams connector: change notifications', () => {
  let receiver: Awaited<ReturnType<typeof startCollaborationReceiver>>;
  let connector: CollaborationConnector;
  beforeAll(async () => {
    connector = teamsConnector({ ...profile, collaboration: settings() });
    receiver = await startCollaborationReceiver(connector, '/v1/webhooks/microsoft/collaboration');
    sandbox.settings.webhookUrl = receiver.url;
  });
  afterAll(() => receiver.close());

  it('answers the validationToken handshake with the decoded token as text/plain', async () => {
    const r = await sandbox.validate('Validation: Testing client application reachability for subscription Request-Id: 7a1c&x=1 +%');
    expect(r).toMatchObject({ ok: true, status: 200 });
    expect(r.body).toBe('Validation: Testing client application reachability for subscription Request-Id: 7a1c&x=1 +%');
  });

  it('takes meeting call events with the right clientState and names the meeting by its join URL', async () => {
    const call = await connector.scheduleJointCall(request());
    expect((await sandbox.move(call.meetingId, 'CallStarted')).status).toBe(202);
    expect((await sandbox.move(call.meetingId, 'CallRosterUpdate')).status).toBe(202);
    expect((await sandbox.move(call.meetingId, 'CallEnded')).status).toBe(202);
    const mine = receiver.events.filter((e) => e.meetingId === call.joinUrl);
    expect(mine.map((e) => e.type)).toEqual(['meeting.started', 'meeting.roster_updated', 'meeting.ended']);
    expect(mine[0]!.detail).toMatchObject({ provider: 'teams', eventType: 'Microsoft.Communication.CallStarted', joinWebUrl: call.joinUrl });
    expect(mine[1]!.detail).toMatchObject({ participantsJoined: 1, participantsExited: 0 });
    expect(JSON.stringify(mine)).not.toContain('Sandbox Engineer');
    expect(new Set(receiver.deliveries).size).toBe(receiver.deliveries.length);
  });

  it('rejects a wrong or missing clientState, also when only one notification of a batch has it wrong', async () => {
    const call = await connector.scheduleJointCall(request());
    const meeting = sandbox.meetings.get(call.meetingId)!;
    const wrong = sandbox.notification(meeting, 'Microsoft.Communication.CallStarted', { clientState: 'guess' });
    expect(await sandbox.notify(JSON.stringify(wrong))).toBe(401);
    const good = sandbox.notification(meeting, 'Microsoft.Communication.CallStarted');
    expect(await sandbox.notify(JSON.stringify({ value: [...good.value, ...wrong.value] }))).toBe(401);
    const { clientState: _c, ...missing } = good.value[0]!;
    expect(await sandbox.notify(JSON.stringify({ value: [missing] }))).toBe(401);
    expect(await sandbox.notify('not json')).toBe(401);
    expect(await sandbox.notify('{"value": []}')).toBe(401);
  });

  it('gives a redelivery the same delivery id however Graph serializes it, and a new event a new one', () => {
    const items = [{
      subscriptionId: 's-1', clientState: CLIENT_STATE, changeType: 'updated', resource: "communications/onlineMeetings?$filter=joinWebUrl+eq+'https://x/l/meetup-join/1'",
      subscriptionExpirationDateTime: '2026-11-27T00:00:00Z', resourceData: { eventType: 'Microsoft.Communication.CallStarted', eventDateTime: '2026-11-25T15:00:01Z' },
    }];
    const id = (body: string) => { const v = connector.verifyWebhook({ headers: {}, body, query: {} }, new Date()); if (v.kind !== 'ok') throw new Error(v.kind); return v.deliveryId; };
    const compact = id(JSON.stringify({ value: items }));
    const reordered = { value: [{ resourceData: { eventDateTime: '2026-11-25T15:00:01Z', eventType: 'Microsoft.Communication.CallStarted' }, ...items[0], subscriptionExpirationDateTime: '2026-11-28T00:00:00Z' }] };
    expect(id(JSON.stringify(reordered, null, 2))).toBe(compact);
    expect(id(JSON.stringify({ value: [{ ...items[0], resourceData: { ...items[0]!.resourceData, eventDateTime: '2026-11-25T15:30:00Z' } }] }))).not.toBe(compact);
  });
});

describe('teams connector: parsing Graph payloads', () => {
  const c = () => teamsConnector({ ...profile, collaboration: settings() }, { clock: new FakeClock() });
  const parse = (value: unknown[]) => c().parseWebhook({ headers: {}, body: JSON.stringify({ value }), query: {} });

  it('reads the documented call-event notification (un-encrypted: properties in resourceData)', () => {
    // https://learn.microsoft.com/graph/changenotifications-for-onlinemeeting (decrypted payload example)
    const joinWebUrl = 'https://teams.microsoft.com/l/meetup-join/19%3ameeting_ZmYwZTEy%40thread.v2/0?context=%7b%22Tid%22%3a%22909c%22%7d';
    const resource = `communications/onlineMeetings?$filter=joinWebUrl+eq+'${joinWebUrl}'`;
    expect(parse([{
      subscriptionId: 'sub', clientState: CLIENT_STATE, changeType: 'updated', tenantId: 't', resource,
      subscriptionExpirationDateTime: '2022-02-28T00:00:00.0000000Z',
      resourceData: { '@odata.type': '#Microsoft.Graph.onlineMeeting', '@odata.id': resource, id: resource, eventType: 'Microsoft.Communication.CallEnded', eventDateTime: '2022-02-28T00:00:00.0000000Z', state: 'inactive' },
    }])).toEqual([{
      meetingId: joinWebUrl, type: 'meeting.ended', at: '2022-02-28T00:00:00.000Z',
      detail: { provider: 'teams', eventType: 'Microsoft.Communication.CallEnded', changeType: 'updated', joinWebUrl, state: 'inactive' },
    }]);
    // the meetingCallEvents form, with the URL encoded once more
    const encoded = `communications/onlineMeetings(joinWebUrl='${encodeURIComponent(joinWebUrl)}')/meetingCallEvents`;
    expect(parse([{ subscriptionId: 's', clientState: CLIENT_STATE, changeType: 'updated', resource: encoded }])[0]!.meetingId).toBe(joinWebUrl);
  });

  it('takes the meeting id from an id-addressed resource, skips lifecycle notifications, refuses the unreadable', () => {
    const events = parse([
      { subscriptionId: 's', clientState: CLIENT_STATE, changeType: 'updated', resource: 'users/u-1/onlineMeetings/MSoxMjM0NTY3ODk' },
      { subscriptionId: 's', clientState: CLIENT_STATE, lifecycleEvent: 'reauthorizationRequired', subscriptionExpirationDateTime: '2026-11-26T00:00:00Z' },
    ]);
    expect(events).toEqual([{ meetingId: 'MSoxMjM0NTY3ODk', type: 'meeting.updated', at: '2026-11-25T10:00:00.000Z', detail: { provider: 'teams', changeType: 'updated' } }]);
    expect(() => parse([{ subscriptionId: 's', clientState: CLIENT_STATE, changeType: 'created', resource: 'chats/19:abc/messages' }])).toThrow(ValidationError);
    expect(() => c().parseWebhook({ headers: {}, body: '{', query: {} })).toThrow(ValidationError);
  });
});
