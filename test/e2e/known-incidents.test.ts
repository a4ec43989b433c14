/**
 * Known partner incidents end to end on the local runtime: a partner's status page (the Statuspage
 * sandbox) starts an incident, the poller (its schedule) picks it up, the engineer route and `hub partners
 * health` list it, and its resolution takes it off the list and goes out as an event.
 */
import { startStatuspageSandbox, type StatuspageSandbox } from '../../connectors/statuspage/sandbox';
import { FakeClock } from '../support/fixtures';
import { engineerToken, http, runHubCli, startE2E, waitFor, type E2E } from '../support/local-hub';

let e2e: E2E;
let page: StatuspageSandbox;
/** The hub's time, moved past the poll interval by the test rather than waited for. */
const clock = new FakeClock(Date.now());
beforeAll(async () => {
  page = await startStatuspageSandbox();
  e2e = await startE2E({ serviceHealth: { source: 'statuspage', url: page.baseUrl, components: ['Meetings'], pollIntervalSeconds: 30 } }, { clock });
});
afterAll(async () => { await e2e?.stop(); await page?.close(); });

const knownIncidents = async (partnerId = 'acme-cloud') => http(e2e.hub.url, 'GET', `/v1/partners/${partnerId}/known-incidents`, { token: engineerToken() });

it('lists a partner incident once polled, in the API and the CLI, until the partner resolves it', async () => {
  const outage = page.start({ name: 'Users unable to join meetings', components: ['Meetings'] });
  page.start({ name: 'Phone calls fail', components: ['Phone'] }); // not a component the profile names
  // a source never polled is polled at the poller's next run (the schedule runs on start, then every 500 ms here)
  const listed = await waitFor('the incident in the list', async () => {
    const r = await knownIncidents();
    return r.json.items.length > 0 && r.json.polledAt ? r : false; // the poll is recorded after its incidents
  });
  expect(listed.status).toBe(200);
  expect(listed.json).toEqual({
    source: 'statuspage', polledAt: expect.any(String),
    items: [{ source: 'statuspage', id: outage.id, title: 'Users unable to join meetings', status: 'investigating', url: outage.shortlink, startedAt: outage.started_at, services: ['Meetings'] }],
  });

  const cli = await runHubCli(e2e.hub.url, ['partners', 'health', 'acme-cloud']);
  expect(cli.code).toBe(0);
  expect(cli.stdout).toContain(`${outage.id}  investigating  since ${outage.started_at}  Meetings`);
  expect(cli.stdout).toContain('1 active incident(s) at acme-cloud (statuspage');
  const unknown = await runHubCli(e2e.hub.url, ['partners', 'health', 'no-such-partner']);
  expect(unknown.code).not.toBe(0);
  expect(unknown.stderr).toContain('No partner no-such-partner.');

  page.resolve(outage.id);
  // the next poll is due after the interval: past it, the poller's schedule sees the resolution
  clock.advance(31_000);
  await waitFor('the incident off the list', async () => {
    await e2e.hub.runSchedule('poller');
    return (await knownIncidents()).json.items.length === 0;
  });
  expect((await knownIncidents('no-such-partner')).status).toBe(404);
});
