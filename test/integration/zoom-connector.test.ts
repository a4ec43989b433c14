/**
 * The `zoom` collaboration connector against its sandbox (Server-to-Server OAuth + meetings API) over
 * HTTP, and signed Zoom events delivered to a small receiver that calls the connector as the hub's
 * webhook route does.
 */
import { refMarker, zoomConnector as zoomHalf, type ZoomConnectorOptions } from '../../connectors/zoom/collaboration';
import { zoomSignature } from '../../connectors/zoom/webhook';
import { startZoomSandbox, type ZoomSandbox } from '../../connectors/zoom/sandbox';
import type { PartnerProfile } from '../../core/config';
import { ConfigError, ValidationError } from '../../core/errors';
import type { CollaborationConnector } from '../../core/ports';
import { FakeClock, testConfig, uid } from '../support/fixtures';
import { failure, fullConnector, startCollaborationReceiver } from '../support/connector-harness';

// the whole connector (partner calls and webhooks), as the registries compose it
const zoomConnector = (p: PartnerProfile, options?: ZoomConnectorOptions) => fullConnector(zoomHalf, p, options);

const CREDS = { accountId: 'acct-sbx', clientId: 'hub-s2s-app', clientSecret: 'hub-s2s-secret' };
const SECRET = 'zoom-secret-token-for-tests';

let sandbox: ZoomSandbox;
const profile: PartnerProfile = testConfig('http://127.0.0.1:1').partners[0]!;
const settings = (over: Record<string, unknown> = {}) => ({
  connector: 'zoom', baseUrl: `${sandbox.baseUrl}/v2`, oauthUrl: `${sandbox.baseUrl}/oauth/token`,
  credentials: CREDS, webhookSecret: SECRET, ...over,
});
const request = (externalId = uid('call')) => ({
  externalId, subject: 'Joint call: video freezes on Zoom Rooms', startTime: '2026-11-25T15:00:00.250Z', durationMinutes: 30, agenda: 'CASE-2002: partner and vendor engineers',
});
const createCalls = () => sandbox.calls.filter((x) => x.method === 'POST' && x.path.endsWith('/meetings'));


beforeAll(async () => { sandbox = await startZoomSandbox({ ...CREDS, webhookSecret: SECRET }); });
afterAll(() => sandbox.close());
beforeEach(() => { sandbox.faults.length = 0; });

describe('zoom connector: Server-to-Server OAuth', () => {
  it('fetches one token with Basic auth and account_credentials, reuses it, and refreshes it near expiry', async () => {
    const clock = new FakeClock();
    const c = zoomConnector({ ...profile, collaboration: settings() }, { clock });
    const before = sandbox.tokenRequests;
    await Promise.all([c.scheduleJointCall(request()), c.scheduleJointCall(request())]);
    await c.scheduleJointCall(request());
    expect(sandbox.tokenRequests - before).toBe(1);
    clock.advance(54 * 60_000);
    await c.scheduleJointCall(request());
    expect(sandbox.tokenRequests - before).toBe(1);
    clock.advance(2 * 60_000);
    await c.scheduleJointCall(request());
    expect(sandbox.tokenRequests - before).toBe(2);
  });

  it('on a 401 (code 124) drops the token and retries once; refused credentials are final', async () => {
    const c = zoomConnector({ ...profile, collaboration: settings() });
    await c.scheduleJointCall(request());
    const before = sandbox.tokenRequests;
    sandbox.revokeTokens();
    expect((await c.scheduleJointCall(request())).joinUrl).toMatch(/\/j\/\d+\?pwd=/);
    expect(sandbox.tokenRequests - before).toBe(1);
    const wrong = await failure(zoomConnector({ ...profile, collaboration: settings({ credentials: { ...CREDS, clientSecret: 'nope' } }) }).scheduleJointCall(request()));
    expect({ transient: wrong.transient, status: wrong.httpStatus }).toEqual({ transient: false, status: 400 });
    expect(wrong.message).toMatch(/get Zoom token/);
    const account = await failure(zoomConnector({ ...profile, collaboration: settings({ credentials: { ...CREDS, accountId: 'other' } }) }).scheduleJointCall(request()));
    expect(account.message).toMatch(/Invalid account_id/);
  });
});

describe('zoom connector: meetings', () => {
  it('creates a scheduled meeting (type 2) as Zoom expects and returns the join URL and the id as a string', async () => {
    const req = request();
    const call = await zoomConnector({ ...profile, collaboration: settings() }).scheduleJointCall(req);
    expect(call.provider).toBe('zoom');
    expect(call.meetingId).toMatch(/^\d{11}$/);
    const stored = sandbox.meetings.get(Number(call.meetingId))!;
    expect(call.joinUrl).toBe(stored.join_url);
    expect(createCalls().at(-1)!.path).toBe('/v2/users/me/meetings');
    expect(JSON.parse(createCalls().at(-1)!.body)).toEqual({
      topic: req.subject, type: 2, start_time: '2026-11-25T15:00:00Z', timezone: 'UTC', duration: 30,
      agenda: `${req.agenda}\n\n${refMarker(req.externalId)}`,
    });
    expect((await fetch(call.joinUrl)).status).toBe(200);
  });

  it('schedules once per externalId in a process, also when asked concurrently', async () => {
    const c = zoomConnector({ ...profile, collaboration: settings() });
    const req = request();
    const before = createCalls().length;
    const [a, b] = await Promise.all([c.scheduleJointCall(req), c.scheduleJointCall(req)]);
    const again = await c.scheduleJointCall(req);
    expect(b).toEqual(a);
    expect(again).toEqual(a);
    expect(createCalls().length - before).toBe(1);
  });

  it('after a create whose answer was lost, finds the meeting by its marker instead of creating another', async () => {
    const c = zoomConnector({ ...profile, collaboration: settings() });
    const req = request();
    sandbox.loseNextAnswers(1);
    const lost = await failure(c.scheduleJointCall(req));
    expect(lost.transient).toBe(true);
    const call = await c.scheduleJointCall(req);
    const mine = [...sandbox.meetings.values()].filter((m) => m.agenda.includes(refMarker(req.externalId)));
    expect(mine).toHaveLength(1);
    expect(call.meetingId).toBe(String(mine[0]!.id));
  });

  it('classifies failures: 429 with Retry-After transient (and not a reason to search), 5xx transient, other 4xx final', async () => {
    const c = zoomConnector({ ...profile, collaboration: settings() });
    const req = request();
    await c.scheduleJointCall(request()); // token in hand
    sandbox.faults.push({ status: 429, headers: { 'retry-after': '3' }, match: (x) => x.method === 'POST' && x.path.endsWith('/meetings') });
    const limited = await failure(c.scheduleJointCall(req));
    expect({ transient: limited.transient, status: limited.httpStatus, retryAfterMs: limited.retryAfterMs }).toEqual({ transient: true, status: 429, retryAfterMs: 3000 });
    const listsBefore = sandbox.calls.filter((x) => x.method === 'GET').length;
    await c.scheduleJointCall(req);
    expect(sandbox.calls.filter((x) => x.method === 'GET').length).toBe(listsBefore);
    sandbox.faults.push({ status: 500, match: (x) => x.method === 'POST' && x.path.endsWith('/meetings') });
    expect((await failure(c.scheduleJointCall(request()))).transient).toBe(true);
    sandbox.faults.push({ status: 400, match: (x) => x.method === 'POST' && x.path.endsWith('/meetings') });
    expect((await failure(c.scheduleJointCall(request()))).transient).toBe(false);
    const nobody = await failure(zoomConnector({ ...profile, collaboration: settings({ hostUserId: 'nobody@example.com' }) }).scheduleJointCall(request()));
    expect({ transient: nobody.transient, status: nobody.httpStatus }).toEqual({ transient: false, status: 404 });
    const closed = await failure(zoomConnector({ ...profile, collaboration: settings({ baseUrl: 'http://127.0.0.1:1', oauthUrl: 'http://127.0.0.1:1/oauth/token' }) }).scheduleJointCall(request()));
    expect(closed.transient).toBe(true);
  });

  it('refuses settings that cannot work, naming the field', () => {
    expect(() => zoomConnector({ ...profile, collaboration: settings({ credentials: { accountId: 'a', clientSecret: 's' } }) }))
      .toThrow(new ConfigError('partners[acme-cloud].collaboration.credentials.clientId: clientId is required'));
    expect(() => zoomConnector({ ...profile, collaboration: settings({ webhookSecret: undefined }) })).toThrow(/collaboration\.webhookSecret: webhookSecret is required/);
    expect(() => zoomConnector({ ...profile, collaboration: settings({ oauthUrl: 'zoom.us/oauth/token' }) })).toThrow(/collaboration\.oauthUrl/);
    expect(() => zoomConnector({ ...profile, collaboration: { ...settings(), credentials: undefined } })).toThrow(/collaboration\.credentials: credentials/);
    const { baseUrl: _b, oauthUrl: _o, ...minimal } = settings();
    expect(zoomConnector({ ...profile, collaboration: minimal }).provider).toBe('zoom');
  });
});

describe('zoom connector: webhooks', () => {
  let receiver: Awaited<ReturnType<typeof startCollaborationReceiver>>;
  let connector: CollaborationConnector;
  beforeAll(async () => {
    connector = zoomConnector({ ...profile, collaboration: settings() });
    receiver = await startCollaborationReceiver(connector, '/v1/webhooks/zoom/collaboration');
    sandbox.settings.webhookUrl = receiver.url;
  });
  afterAll(() => receiver.close());

  it('answers the signed endpoint.url_validation with plainToken and encryptedToken', async () => {
    const r = await sandbox.validate();
    expect(r.ok).toBe(true);
    expect(r.status).toBe(200);
  });

  it('records meeting.started / participant_joined / ended for the meeting id (as a string)', async () => {
    const call = await connector.scheduleJointCall(request());
    for (const e of ['meeting.started', 'meeting.participant_joined', 'meeting.ended']) expect((await sandbox.move(call.meetingId, e)).status).toBe(202);
    const mine = receiver.events.filter((e) => e.meetingId === call.meetingId);
    expect(mine.map((e) => e.type)).toEqual(['meeting.started', 'meeting.participant_joined', 'meeting.ended']);
    expect(mine[0]!.detail).toMatchObject({ provider: 'zoom', meetingUuid: sandbox.meetings.get(Number(call.meetingId))!.uuid });
    expect(mine[1]!.detail.participantUserId).toMatch(/^\d+$/);
    expect(JSON.stringify(mine)).not.toContain('Sandbox Engineer');
  });

  it('refuses a stale or future timestamp, a wrong secret, a re-serialized or tampered body, missing headers', async () => {
    const call = await connector.scheduleJointCall(request());
    const body = sandbox.eventBody(sandbox.meetings.get(Number(call.meetingId))!, 'meeting.started');
    const now = Math.floor(Date.now() / 1000);
    expect((await sandbox.post(body, { timestamp: String(now - 301) })).status).toBe(401);
    expect((await sandbox.post(body, { timestamp: String(now + 301) })).status).toBe(401);
    expect((await sandbox.post(body, { timestamp: String(now - 240) })).status).toBe(202);
    expect((await sandbox.post(body, { secret: 'not-the-secret' })).status).toBe(401);

    // signed over the bytes Zoom sent, delivered re-serialized (what Zoom's own sample verifies over)
    const ts = String(now);
    const sig = zoomSignature(SECRET, ts, body);
    const verify = (b: string, headers: Record<string, string> = { 'x-zm-request-timestamp': ts, 'x-zm-signature': sig }) => connector.verifyWebhook({ headers, body: b, query: {} }, new Date());
    expect(verify(body).kind).toBe('ok');
    expect(verify(JSON.stringify(JSON.parse(body), null, 1)).kind).toBe('rejected');
    expect(verify(body.replace('meeting.started', 'meeting.ended')).kind).toBe('rejected');
    expect(verify(body, { 'x-zm-request-timestamp': ts })).toEqual({ kind: 'rejected', reason: expect.stringMatching(/missing/) });
    expect(verify(body, { 'x-zm-request-timestamp': ts, 'x-zm-signature': sig.toUpperCase().replace('V0=', 'v0=') }).kind).toBe('ok');
    expect(verify(body, { 'x-zm-request-timestamp': ts, 'x-zm-signature': sig.slice(0, -2) }).kind).toBe('rejected');
    expect(verify(body, { 'x-zm-request-timestamp': `${ts}000`, 'x-zm-signature': sig }).kind).toBe('rejected');
  });

  it('does not answer a validation request it cannot verify', async () => {
    const body = JSON.stringify({ payload: { plainToken: 'abc' }, event_ts: Date.now(), event: 'endpoint.url_validation' });
    const r = await sandbox.post(body, { secret: 'not-the-secret' });
    expect(r.status).toBe(401);
    expect(r.body).not.toContain('encryptedToken');
  });

  it('gives a retried event the same delivery id whatever its new timestamp and tracking id', async () => {
    const call = await connector.scheduleJointCall(request());
    const body = sandbox.eventBody(sandbox.meetings.get(Number(call.meetingId))!, 'meeting.ended');
    const before = receiver.deliveries.length;
    const now = Math.floor(Date.now() / 1000);
    await sandbox.post(body, { timestamp: String(now - 200) });
    await sandbox.post(body, { timestamp: String(now) });
    const [first, retry] = receiver.deliveries.slice(before);
    expect(retry).toBe(first);
    await sandbox.move(call.meetingId, 'meeting.started');
    expect(receiver.deliveries.at(-1)).not.toBe(first);
  });
});

describe('zoom connector: parsing Zoom payloads', () => {
  const c = () => zoomConnector({ ...profile, collaboration: settings() }, { clock: new FakeClock() });
  const parse = (body: unknown) => c().parseWebhook({ headers: {}, body: JSON.stringify(body), query: {} });

  it('reads meeting events with the id as a number or a string, event_ts in milliseconds', () => {
    // shape of https://developers.zoom.us/docs/api/meetings/events/ (meeting.started)
    const started = { event: 'meeting.started', event_ts: 1732543200123, payload: { account_id: 'AAAAAABBBB', object: { id: '85012345678', uuid: '4444AAAiAAAAAiAiAiiAii==', host_id: 'x1yCzABCDEfg123HIJKLMN', topic: 'Joint call', type: 2, start_time: '2024-11-25T14:00:00Z', timezone: 'UTC', duration: 30 } } };
    expect(parse(started)).toEqual([{ meetingId: '85012345678', type: 'meeting.started', at: '2024-11-25T14:00:00.123Z', detail: { provider: 'zoom', meetingUuid: '4444AAAiAAAAAiAiAiiAii==' } }]);
    expect(parse({ ...started, payload: { ...started.payload, object: { ...started.payload.object, id: 85012345678 } } })[0]!.meetingId).toBe('85012345678');
    expect(parse({ event: 'meeting.ended', payload: { object: { id: 1 } } })[0]!.at).toBe('2026-11-25T10:00:00.000Z');
  });

  it('ignores non-meeting events and the validation, refuses a malformed meeting event', () => {
    expect(parse({ event: 'recording.completed', payload: { object: { id: 1 } } })).toEqual([]);
    expect(parse({ event: 'endpoint.url_validation', payload: { plainToken: 'x' } })).toEqual([]);
    expect(() => parse({ event: 'meeting.started', payload: { object: {} } })).toThrow(ValidationError);
    expect(() => parse({ event: 'meeting.started' })).toThrow(ValidationError);
    expect(() => c().parseWebhook({ headers: {}, body: '{', query: {} })).toThrow(ValidationError);
  });
});
