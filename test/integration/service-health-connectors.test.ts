/**
 * The service-health sources (`microsoft365`, `statuspage`) against their sandboxes over HTTP, driven as a
 * test or curl drives them (start an incident, post an update, resolve it), and against the documented
 * payloads kept in test/fixtures/service-health/ (README there gives their addresses).
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { buildRegistry } from '../../connectors/registry';
import { startMicrosoft365Sandbox, type Microsoft365Sandbox } from '../../connectors/microsoft365/sandbox';
import { serveSandbox } from '../../connectors/sandbox';
import { startStatuspageSandbox, type StatuspageSandbox } from '../../connectors/statuspage/sandbox';
import { PartnerCallError } from '../../core/errors';
import type { KnownIncident, ServiceHealthConnector } from '../../core/ports';
import { testConfig } from '../support/fixtures';

const CREDS = { tenantId: 'contoso-tenant', clientId: 'hub-health-app', clientSecret: 'hub-health-secret' };
const FIXTURES = join(__dirname, '..', 'fixtures', 'service-health');
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');

/** The source a profile's `serviceHealth` names, as the registries build it (settings checked, answers guarded). */
const source = (serviceHealth: Record<string, unknown>): ServiceHealthConnector =>
  buildRegistry(testConfig('http://127.0.0.1:1', { serviceHealth })).serviceHealth('acme-cloud')!;
const ids = (incidents: KnownIncident[]) => incidents.map((i) => i.id).sort();

/** Serves one fixed answer on `path` (and Entra's token endpoint), as the documented service would answer. */
async function documented(path: string, body: string) {
  return serveSandbox(async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname.endsWith('/oauth2/v2.0/token')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ token_type: 'Bearer', expires_in: 3599, access_token: 'documented-token' }));
    }
    res.writeHead(url.pathname === path ? 200 : 404, { 'content-type': 'application/json' });
    return res.end(url.pathname === path ? body : '{}');
  });
}

describe('microsoft365 against its sandbox', () => {
  let sandbox: Microsoft365Sandbox;
  const settings = (over: Record<string, unknown> = {}) => ({
    source: 'microsoft365', graphUrl: `${sandbox.baseUrl}/v1.0`, loginUrl: sandbox.baseUrl, credentials: CREDS, services: ['Microsoft Teams'], ...over,
  });
  beforeAll(async () => { sandbox = await startMicrosoft365Sandbox({ ...CREDS, pageSize: 2 }); });
  afterAll(() => sandbox.close());
  beforeEach(() => { sandbox.issues.clear(); sandbox.faults.length = 0; });

  it('lists the active issues of the named services across pages, whatever the enum casing, until they are resolved', async () => {
    const teams = ['Users cannot join meetings', 'Chat messages are delayed', 'Calls drop after 30 minutes']
      .map((title) => sandbox.start({ service: 'Microsoft Teams', title }));
    sandbox.start({ service: 'Exchange Online', title: 'Mail is delayed' });
    sandbox.start({ service: 'Microsoft Teams', title: 'Planned change to meeting recordings', classification: 'advisory' });
    const m365 = source(settings());

    // five issues at two a page: three pages, both casings of the enums among them
    const listed = await m365.listActive();
    expect(ids(listed)).toEqual(ids([...teams, ...[...sandbox.issues.values()].filter((i) => i.classification === 'advisory')] as never));
    expect(listed.find((i) => i.id === teams[0]!.id)).toMatchObject({
      source: 'microsoft365', title: 'Users cannot join meetings', status: 'investigating', services: ['Microsoft Teams'],
      url: expect.stringContaining(teams[0]!.id),
    });

    // an update keeps it active with its new status; `ServiceRestored` (either casing) ends it, as does isResolved
    sandbox.post(teams[0]!.id, 'serviceDegradation', 'Some users cannot join meetings.');
    sandbox.post(teams[1]!.id, 'serviceRestored'); // restored, isResolved not yet set
    sandbox.resolve(teams[2]!.id);
    const after = await m365.listActive();
    expect(after.map((i) => i.id)).not.toEqual(expect.arrayContaining([teams[1]!.id]));
    expect(after.map((i) => i.id)).not.toEqual(expect.arrayContaining([teams[2]!.id]));
    expect(after.find((i) => i.id === teams[0]!.id)!.status).toBe('serviceDegradation'); // one spelling, whichever Graph answered

    // only incidents when the profile says so (compared case-insensitively with the emitted `Incident`/`Advisory`)
    expect(ids(await source(settings({ classifications: ['INCIDENT'] })).listActive())).toEqual([teams[0]!.id]);
  });

  it('emits both casings and pages with an absolute @odata.nextLink, as Graph does', async () => {
    for (const title of ['a', 'b', 'c']) sandbox.start({ service: 'Microsoft Teams', title });
    const token = await (await fetch(`${sandbox.baseUrl}/${CREDS.tenantId}/oauth2/v2.0/token`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: CREDS.clientId, client_secret: CREDS.clientSecret, scope: 'https://graph.microsoft.com/.default' }),
    }).then((r) => r.json()) as { access_token: string }).access_token;
    const page = await (await fetch(`${sandbox.baseUrl}/v1.0/admin/serviceAnnouncement/issues`, { headers: { authorization: `Bearer ${token}` } }))
      .json() as { value: { classification: string; status: string }[]; '@odata.nextLink': string };
    expect(page.value.map((i) => i.classification)).toEqual(['Incident', 'incident']);
    expect(page.value.map((i) => i.status)).toEqual(['Investigating', 'investigating']);
    expect(page['@odata.nextLink']).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1\.0\/admin\/serviceAnnouncement\/issues\?\$skiptoken=2$/);
  });

  it('gets one token for many polls, and fails with the wrong secret', async () => {
    sandbox.start({ service: 'Microsoft Teams', title: 'x' });
    const m365 = source(settings());
    const before = sandbox.tokenRequests;
    await m365.listActive();
    await m365.listActive();
    expect(sandbox.tokenRequests - before).toBe(1);
    const wrong = await source(settings({ credentials: { ...CREDS, clientSecret: 'not-the-secret' } })).listActive().catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(PartnerCallError);
    expect(wrong).toMatchObject({ httpStatus: 401, transient: false });
  });

  it('fails a throttled poll with the fractional Retry-After Graph sends, for the poller to wait out', async () => {
    sandbox.start({ service: 'Microsoft Teams', title: 'x' });
    const m365 = source(settings());
    await m365.listActive(); // token cached: the fault meets the list call
    sandbox.faults.push({ status: 429, headers: { 'retry-after': '2.128' } });
    const err = await m365.listActive().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PartnerCallError);
    expect(err).toMatchObject({ httpStatus: 429, transient: true, retryAfterMs: 2128 });
    expect((err as Error).message).toContain('TooManyRequests');
  });
});

describe('microsoft365 against the documented answer', () => {
  it('reads the documentation\'s example ("Incident", "ServiceRestored", isResolved) as resolved, and leaves a nextLink to another host alone', async () => {
    const doc = fixture('graph-list-issues.json');
    const served = await documented('/v1.0/admin/serviceAnnouncement/issues', doc);
    try {
      const s = { source: 'microsoft365', graphUrl: `${served.baseUrl}/v1.0`, loginUrl: served.baseUrl, credentials: CREDS };
      expect(await source(s).listActive()).toEqual([]);
      // the same issue while it was open: active, whatever the casing
      const open = JSON.parse(doc) as { value: Record<string, unknown>[] };
      Object.assign(open.value[0]!, { isResolved: false, status: 'ServiceDegradation', endDateTime: null });
      const servedOpen = await documented('/v1.0/admin/serviceAnnouncement/issues', JSON.stringify(open));
      try {
        const listed = await source({ ...s, graphUrl: `${servedOpen.baseUrl}/v1.0`, loginUrl: servedOpen.baseUrl, services: ['exchange online'] }).listActive();
        expect(listed).toEqual([expect.objectContaining({
          id: 'EX226792', status: 'serviceDegradation', startedAt: '2020-11-13T21:00:00.000Z', services: ['Exchange Online'],
          title: 'Limited number of users unable to send or receive email through the Exchange Online service',
        })]);
      } finally { await servedOpen.close(); }
    } finally { await served.close(); }
  });
});

describe('statuspage against its sandbox', () => {
  let sandbox: StatuspageSandbox;
  beforeAll(async () => { sandbox = await startStatuspageSandbox(); });
  afterAll(() => sandbox.close());
  beforeEach(() => { sandbox.incidents.clear(); });

  it('lists the unresolved incidents of the named components (case-insensitive) until they are resolved', async () => {
    const meetings = sandbox.start({ name: 'Users unable to join meetings', components: ['Meetings'] });
    sandbox.start({ name: 'Phone calls fail', components: ['Phone'] });
    const unscoped = sandbox.start({ name: 'Degraded performance' });
    const zoom = source({ source: 'statuspage', url: sandbox.baseUrl, components: ['meetings'] });

    expect(ids(await zoom.listActive())).toEqual([meetings.id, unscoped.id].sort());
    expect((await zoom.listActive()).find((i) => i.id === meetings.id)).toEqual({
      source: 'statuspage', id: meetings.id, title: 'Users unable to join meetings', status: 'investigating',
      url: `${sandbox.baseUrl}/incidents/${meetings.id}`, startedAt: meetings.started_at, services: ['Meetings'],
    });

    sandbox.update(meetings.id, 'identified', 'The cause is identified.');
    expect((await zoom.listActive()).find((i) => i.id === meetings.id)!.status).toBe('identified');
    sandbox.resolve(meetings.id);
    expect(ids(await zoom.listActive())).toEqual([unscoped.id]);
  });

  it('is driven over HTTP, as curl would', async () => {
    const started = await (await fetch(`${sandbox.baseUrl}/_sandbox/incidents`, { method: 'POST', body: JSON.stringify({ name: 'Outage', components: ['Meetings'] }) })).json() as { id: string };
    await fetch(`${sandbox.baseUrl}/_sandbox/incidents/${started.id}/updates`, { method: 'POST', body: JSON.stringify({ status: 'monitoring' }) });
    const unresolved = await (await fetch(`${sandbox.baseUrl}/api/v2/incidents/unresolved.json`)).json() as { incidents: { id: string; status: string }[] };
    expect(unresolved.incidents).toEqual([expect.objectContaining({ id: started.id, status: 'monitoring' })]);
    await fetch(`${sandbox.baseUrl}/_sandbox/incidents/${started.id}/resolve`, { method: 'POST' });
    expect((await (await fetch(`${sandbox.baseUrl}/api/v2/incidents/unresolved.json`)).json() as { incidents: unknown[] }).incidents).toEqual([]);
    const all = await (await fetch(`${sandbox.baseUrl}/api/v2/incidents.json`)).json() as { incidents: { id: string; resolved_at: string | null }[] };
    expect(all.incidents[0]).toMatchObject({ id: started.id, resolved_at: expect.any(String) });
  });
});

describe('statuspage against the documented answer', () => {
  it('reads the documented fields: the incident of a named component, with its shortlink and start', async () => {
    const served = await documented('/api/v2/incidents/unresolved.json', fixture('statuspage-unresolved.json'));
    try {
      expect(await source({ source: 'statuspage', url: served.baseUrl, components: ['Meetings'] }).listActive()).toEqual([{
        source: 'statuspage', id: 'k4ccvkz3rv5s', title: 'Users unable to join meetings', status: 'investigating',
        url: 'https://stspg.io/k4ccvkz3rv5s', startedAt: '2026-12-07T14:20:03.122Z', services: ['Meetings'],
      }]);
    } finally { await served.close(); }
  });
});
