/**
 * A confirmed known incident written back to the vendor's desk, end to end on the local runtime (issue 16
 * item 3): a case flagged from the Zendesk desk sandbox gets the partner's active incident (Microsoft 365
 * service health, its sandbox) suggested; once an engineer confirms it, and again once the partner resolves
 * it, the desk ticket gets a public comment with the partner's incident id, title, status and link, through
 * the desk-writeback queue, and never the findings or the engineer's name.
 */
import { startMicrosoft365Sandbox, type Microsoft365Sandbox } from '../../connectors/microsoft365/sandbox';
import { startZendeskDeskSandbox, type ZendeskDeskSandbox } from '../../connectors/zendesk-desk/sandbox';
import { DESK_CREDENTIALS, zendeskDesk } from '../support/desk';
import { FakeClock } from '../support/fixtures';
import { engineerToken, http, startE2E, waitFor, type E2E } from '../support/local-hub';

const SECRET = 'desk-signing-secret';
const CREDS = { tenantId: 'contoso-tenant', clientId: 'hub-health-app', clientSecret: 'hub-health-secret' };
/** The hub's time, moved past the poll interval by the test rather than waited for. */
const clock = new FakeClock(Date.now());
let e2e: E2E;
let m365: Microsoft365Sandbox;
let desk: ZendeskDeskSandbox;

beforeAll(async () => {
  m365 = await startMicrosoft365Sandbox(CREDS);
  desk = await startZendeskDeskSandbox({ ...DESK_CREDENTIALS, webhookSecret: SECRET, triggerTag: 'partner_related' });
  e2e = await startE2E(
    { serviceHealth: { source: 'microsoft365', graphUrl: `${m365.baseUrl}/v1.0`, loginUrl: m365.baseUrl, credentials: CREDS, services: ['Microsoft Teams'], pollIntervalSeconds: 30 } },
    { clock },
    { desks: [zendeskDesk(desk.baseUrl, SECRET)] },
  );
  desk.settings.webhookUrl = `${e2e.hub.url}/v1/desks/vendor-zendesk/events`;
});
afterAll(async () => { await e2e?.stop(); await desk?.close(); await m365?.close(); });

/** The desk ticket's public comments that name `incidentId`. */
const incidentComments = (ticketId: number, incidentId: string) => desk.comments.filter((c) => c.ticketId === ticketId && c.body.includes(incidentId));

it('writes a confirmed known incident, and its resolution, to the desk case as customer-visible comments', async () => {
  // the partner's incident is known to the hub before the case is flagged: the flag gets it suggested
  const issue = m365.start({ service: 'Microsoft Teams', title: 'Users cannot join meetings' });
  await e2e.hub.runSchedule('poller');
  const t = await desk.create({ subject: 'Rooms cannot join', description: 'SECRET-FINDINGS: join fails with 500', priority: 'high', organizationExternalId: 'acme', platform: 'acme', tags: ['partner_related'] });
  const escalation = await waitFor('the escalation with the suggestion', async () => {
    const e = (await http(e2e.hub.url, 'GET', `/v1/escalations?caseId=${t.id}`, { token: engineerToken() })).json?.items?.[0];
    return e?.knownIncidents?.length ? e : false;
  });
  expect(escalation.knownIncidents[0]).toMatchObject({ id: issue.id, match: 'suggested' });
  expect(incidentComments(t.id, issue.id)).toEqual([]); // a suggestion stays with the engineers

  const confirmed = await http(e2e.hub.url, 'POST', `/v1/escalations/${escalation.escalationId}/known-incidents/${issue.id}/confirm`, { token: engineerToken() });
  expect(confirmed.status).toBe(200);
  const url = confirmed.json.knownIncidents[0].url as string;
  const [onConfirm] = await waitFor('the confirmation on the desk ticket', async () => (incidentComments(t.id, issue.id).length ? incidentComments(t.id, issue.id) : false));
  expect(onConfirm).toEqual({ ticketId: t.id, public: true, body: `This case is affected by the Acme Cloud incident ${issue.id} "Users cannot join meetings" (status: investigating). Details: ${url}` });

  m365.resolve(issue.id);
  clock.advance(31_000);
  await e2e.hub.runSchedule('poller');
  const comments = await waitFor('the resolution on the desk ticket', async () => (incidentComments(t.id, issue.id).length === 2 ? incidentComments(t.id, issue.id) : false));
  expect(comments[1]).toMatchObject({ public: true, body: expect.stringMatching(new RegExp(`^Acme Cloud has resolved its incident ${issue.id} "Users cannot join meetings" \\(status: \\w+\\)\\. Details: `)) });
  // customer-visible text only: never the findings or the engineer who confirmed
  for (const c of desk.comments.filter((x) => x.ticketId === t.id && x.public)) expect(c.body).not.toMatch(/SECRET-FINDINGS|eng-1/);
});
