/**
 * A partner's own incident on a customer's case, end to end on the local runtime (issue 15's "Done when"):
 * an escalation is open when Microsoft 365's service health (its sandbox) starts an incident; the poller
 * suggests it on the escalation; an engineer confirms it with the CLI; the customer view and the status
 * page (headless Chromium, when /usr/bin/chromium exists) show the partner's id, title, status and link;
 * the partner resolves it and a webhook subscriber hears `ConfirmedIncidentResolved`.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startMicrosoft365Sandbox, type Microsoft365Sandbox } from '../../connectors/microsoft365/sandbox';
import { FakeClock, uid } from '../support/fixtures';
import { customerToken, engineerToken, http, runHubCli, startE2E, waitFor, type E2E } from '../support/local-hub';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts');
const CREDS = { tenantId: 'contoso-tenant', clientId: 'hub-health-app', clientSecret: 'hub-health-secret' };

let e2e: E2E;
let m365: Microsoft365Sandbox;
/** What the subscriber's endpoint took: each notification's body. */
const delivered: { type: string; data: Record<string, unknown> }[] = [];
let subscriber: Server;
/** The hub's time, moved past the poll interval by the test rather than waited for. */
const clock = new FakeClock(Date.now());

beforeAll(async () => {
  m365 = await startMicrosoft365Sandbox(CREDS);
  subscriber = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => { body += c.toString('utf8'); });
    req.on('end', () => { delivered.push(JSON.parse(body) as (typeof delivered)[number]); res.writeHead(204).end(); });
  });
  await new Promise<void>((resolve) => subscriber.listen(0, '127.0.0.1', resolve));
  e2e = await startE2E(
    { serviceHealth: { source: 'microsoft365', graphUrl: `${m365.baseUrl}/v1.0`, loginUrl: m365.baseUrl, credentials: CREDS, services: ['Microsoft Teams'], pollIntervalSeconds: 30 } },
    { clock },
    { subscribers: [{
      id: 'crm', kind: 'webhook', url: `http://127.0.0.1:${(subscriber.address() as AddressInfo).port}/hooks`,
      secret: `whsec_${Buffer.from('crm-secret').toString('base64')}`, events: ['ConfirmedIncidentResolved'],
    }] },
  );
});
afterAll(async () => {
  await e2e?.stop();
  await m365?.close();
  subscriber?.close();
});

const engineer = (method: string, path: string) => http(e2e.hub.url, method, path, { token: engineerToken() });
/** Past the poll interval, then the poller's run: what the partner changed reaches the hub. */
async function nextPoll() {
  clock.advance(31_000);
  await e2e.hub.runSchedule('poller');
}

it('suggests the partner incident on the open case, and once confirmed the customer sees it until the partner resolves it, which subscribers hear of', async () => {
  const caseId = uid('CASE');
  const flagged = await http(e2e.hub.url, 'POST', '/v1/escalations', {
    token: engineerToken(), body: { caseId, customerId: 'acme', platform: 'acme', severity: 'high', summary: 'Teams Rooms cannot join meetings', findings: 'Join fails with 500' },
  });
  expect(flagged.status).toBe(202);
  expect(flagged.json.knownIncidents).toEqual([]); // nothing at the partner yet
  const escalationId = flagged.json.escalationId as string;

  // Microsoft starts an incident of a service the profile names; the escalation is open: the suggestion appears
  const issue = m365.start({ service: 'Microsoft Teams', title: 'Users cannot join meetings' });
  const suggested = await waitFor('the suggestion', async () => {
    await nextPoll();
    const r = await engineer('GET', `/v1/escalations/${escalationId}`);
    return r.json.knownIncidents.length > 0 ? r.json : false;
  });
  expect(suggested.knownIncidents).toEqual([{
    source: 'microsoft365', id: issue.id, title: 'Users cannot join meetings', status: 'investigating',
    url: expect.stringMatching(/^https:\/\//), startedAt: issue.startDateTime, match: 'suggested',
  }]);
  expect(suggested.timeline).toContainEqual(expect.objectContaining({
    type: 'known_incident_suggested', actor: 'partner:acme-cloud', detail: { source: 'microsoft365', incidentId: issue.id, title: issue.title },
  }));
  // not for the customer before an engineer confirms it
  expect((await http(e2e.hub.url, 'GET', `/v1/customer/cases/${caseId}/partner-incidents`, { token: customerToken('acme') })).json.incidents[0].knownIncidents).toEqual([]);

  // an engineer confirms it with the CLI; `hub show` lists it
  const confirmed = await runHubCli(e2e.hub.url, ['known-incident', 'confirm', escalationId, issue.id]);
  expect(confirmed).toMatchObject({ code: 0, stdout: expect.stringContaining(`known incident ${issue.id} confirmed on ${escalationId}`) });
  const shown = await runHubCli(e2e.hub.url, ['show', escalationId]);
  expect(shown.stdout).toMatch(new RegExp(`known confirmed\\s+${issue.id}  Users cannot join meetings \\(investigating since `));
  expect(shown.stdout).toContain('known_incident_confirmed');
  const unknown = await runHubCli(e2e.hub.url, ['known-incident', 'dismiss', escalationId, 'TM999999']);
  expect(unknown.code).not.toBe(0);
  expect(unknown.stderr).toContain(`No known incident TM999999 on escalation ${escalationId}.`);

  // the partner posts an update: the customer view and the status page show the partner's id, title, status and link
  m365.post(issue.id, 'serviceDegradation', 'Some users are affected.');
  const view = await waitFor('the update in the customer view', async () => {
    await nextPoll();
    const r = await http(e2e.hub.url, 'GET', `/v1/customer/cases/${caseId}/partner-incidents`, { token: customerToken('acme') });
    return r.json.incidents[0].knownIncidents[0]?.status === 'serviceDegradation' ? r.json : false;
  });
  expect(view.incidents[0].knownIncidents).toEqual([{
    source: 'microsoft365', id: issue.id, title: 'Users cannot join meetings', status: 'serviceDegradation', url: suggested.knownIncidents[0].url, startedAt: issue.startDateTime,
  }]);
  const page = await http(e2e.hub.url, 'GET', `/status/cases/${caseId}`, { token: customerToken('acme') });
  expect(page.text).toContain(`<a class="ticket" href="${suggested.knownIncidents[0].url}" rel="noreferrer">${issue.id}</a>: Users cannot join meetings — serviceDegradation`);
  if (existsSync(CHROMIUM)) await screenshot(caseId);

  // the partner resolves it: subscribers of the escalation hear of it, once
  m365.resolve(issue.id);
  const notice = await waitFor('the notification', async () => {
    await nextPoll();
    return delivered.find((d) => d.type === 'ConfirmedIncidentResolved' && d.data.escalationId === escalationId);
  });
  expect(notice.data).toMatchObject({ incidentId: issue.id, title: 'Users cannot join meetings', caseId, partnerId: 'acme-cloud', resolvedAt: expect.any(String) });
  const after = await engineer('GET', `/v1/escalations/${escalationId}`);
  expect(after.json.knownIncidents[0]).toMatchObject({ match: 'confirmed', resolvedAt: notice.data.resolvedAt });
  expect(after.json.timeline.filter((t: { type: string }) => t.type === 'known_incident_resolved')).toHaveLength(1);
});

/** The status page as a customer's browser shows it (kept as docs/status-page-known-incident.png). */
async function screenshot(caseId: string) {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
  try {
    const link = await http(e2e.hub.url, 'POST', '/v1/status-links', { token: engineerToken(), body: { customerId: 'acme', caseId, ttlMinutes: 10 } });
    const tab = await browser.newPage({ viewport: { width: 900, height: 600 } });
    await tab.goto(`${e2e.hub.url}${link.json.path}`);
    await expect(tab.locator('.known h3').textContent()).resolves.toBe('Known Acme Cloud incident');
    mkdirSync(ARTIFACTS, { recursive: true });
    await tab.screenshot({ path: join(ARTIFACTS, 'status-page-known-incident.png'), fullPage: true });
  } finally {
    await browser.close();
  }
}
