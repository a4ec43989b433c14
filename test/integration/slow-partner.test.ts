/**
 * Issue 12 item 3: a partner that answers one byte at a time. Every partner call has a total deadline
 * (connectors/partner-http.ts), shorter than the attempt lease, so the attempt gives up on the slow answer
 * before its lease runs out, and a second attempt cannot start while the first can still create. Short
 * deadline and lease (300 ms, 1.5 s) keep the test to seconds; the defaults are 10 s and 30 s.
 */
import { genericRestConnector } from '../../connectors/generic-rest/ticketing';
import { startGenericSandbox, type GenericSandbox } from '../../connectors/generic-rest/sandbox';
import { silentLog, type HubDeps } from '../../core/deps';
import { systemClock } from '../../core/ports';
import { flagEscalation } from '../../core/use-cases/flag-escalation';
import { openPartnerIncident } from '../../core/use-cases/open-partner-incident';
import { documentClient } from '../../functions/adapters/clients';
import { DynamoEscalationStore } from '../../functions/adapters/dynamo-store';
import { LOCAL_TABLE, startDynalite } from '../../local/dynamo';
import { waitFor } from '../support/local-hub';
import { RecordingBus, RecordingQueue, testConfig, uid } from '../support/fixtures';
import { fullConnector } from '../support/connector-harness';

let dynamo: Awaited<ReturnType<typeof startDynalite>>;
let sandbox: GenericSandbox;
beforeAll(async () => {
  dynamo = await startDynalite('memory');
  sandbox = await startGenericSandbox({ token: 'partner-token' });
});
afterAll(async () => { await sandbox.close(); await dynamo.close(); });

describe('a partner that answers one byte at a time', () => {
  it('gets one incident: the call ends at its total deadline, inside the lease, and the next attempt finds or creates once', async () => {
    const config = testConfig(sandbox.baseUrl, { timeoutMs: 300 });
    const connector = fullConnector(genericRestConnector, config.partners[0]!);
    const deps: HubDeps = {
      config, store: new DynamoEscalationStore(documentClient(dynamo.client), LOCAL_TABLE),
      bus: new RecordingBus(), queue: new RecordingQueue(), clock: systemClock,
      connectors: { ticketing: () => connector, collaboration: () => undefined, serviceHealth: () => undefined },
      newId: () => uid('esc'), random: () => 0.5, log: silentLog,
      leases: { attemptMs: 1500, marginMs: 200 },
    };
    const { escalation } = await flagEscalation(deps, { caseId: uid('CASE'), customerId: 'acme', platform: 'acme', severity: 'high', summary: 's', findings: 'f' }, 'eng-1');
    // ~150 bytes at one per 40 ms: the answer would take ~6 s, four times the lease
    sandbox.trickles.push({ byteEveryMs: 40, match: (c) => c.method === 'POST' && c.path === '/incidents' });
    const outcomes: string[] = [];
    const first = openPartnerIncident(deps, escalation.escalationId).then((o) => { outcomes.push(`first:${o}`); return o; });
    // every other worker, retry and sweep re-drive tries as often as it can: each is skipped while a lease holds
    const startedAt = Date.now();
    await waitFor('the escalation to open', async () => {
      outcomes.push(await openPartnerIncident(deps, escalation.escalationId));
      return (await deps.store.getEscalation(escalation.escalationId))?.status === 'open';
    }, 20_000);
    const openedAfter = Date.now() - startedAt;
    await first;
    // the slow answer has ended (cut off by the hub, or complete): only then is the count final
    await waitFor('the slow answer to end', async () => sandbox.trickled.every((t) => t.completed !== undefined), 20_000);
    const ref = `hub:${escalation.escalationId}`;
    const held = [...sandbox.incidents.values()].filter((i) => i.externalRef === ref);
    expect(held).toHaveLength(1);
    expect(sandbox.trickled).toEqual([{ method: 'POST', path: '/incidents', completed: false }]);
    expect(outcomes.filter((o) => o.startsWith('first:'))).toEqual(['first:retry_scheduled']);
    expect(outcomes.filter((o) => o === 'opened')).toHaveLength(1);
    const opened = await deps.store.getEscalation(escalation.escalationId);
    expect(opened).toMatchObject({ status: 'open', partnerTicket: { id: held[0]!.id }, attempts: 2 });
    const failed = (await deps.store.getTimeline(escalation.escalationId)).filter((t) => t.type === 'partner_attempt_failed');
    expect(failed.map((t) => t.detail.error)).toEqual([expect.stringMatching(/total deadline of 300 ms/)]);
    process.stdout.write(`slow partner: open after ${openedAfter} ms; POST /incidents ${sandbox.calls.filter((c) => c.method === 'POST' && c.path === '/incidents').length}, incidents ${held.length}\n`);
    expect(openedAfter).toBeLessThan(1500);
  });
});
