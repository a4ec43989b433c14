/**
 * Stopping the local hub while it is busy: the requests, queue batches and schedule runs already started
 * finish before the embedded store closes, so nothing fails with "Database is not open" and every request
 * answered 202 is still there after a restart.
 */
import { PendingWork } from '../../local/pending-work';
import { uid } from '../support/fixtures';
import { engineerToken, http, startE2E, type E2E } from '../support/local-hub';

describe('PendingWork', () => {
  it('waits for tracked work, including work started while it waits, and keeps results and errors', async () => {
    const pending = new PendingWork();
    const order: string[] = [];
    const later = (ms: number, name: string) => new Promise<string>((r) => setTimeout(() => { order.push(name); r(name); }, ms));
    const first = pending.track(later(20, 'first').then((v) => { void pending.track(later(20, 'chained')); return v; }));
    const failing = pending.track(Promise.reject(new Error('boom')));
    await expect(failing).rejects.toThrow('boom');
    expect(pending.size).toBeGreaterThan(0);
    expect(await pending.settled()).toBe(true);
    expect(order).toEqual(['first', 'chained']);
    expect(pending.size).toBe(0);
    expect(await first).toBe('first');
  });

  it('gives up after its limit and says so', async () => {
    const pending = new PendingWork();
    let release!: () => void;
    void pending.track(new Promise<void>((r) => { release = r; }));
    expect(await pending.settled(30)).toBe(false);
    release();
    expect(await pending.settled(1000)).toBe(true);
  });
});

describe('stopping the local hub while it works', () => {
  let e2e: E2E | undefined;
  afterAll(() => e2e?.stop());

  it('lets started work finish, and keeps every escalation it accepted', async () => {
    e2e = await startE2E();
    const hub = e2e.hub;
    const flag = () => http(hub.url, 'POST', '/v1/escalations', {
      token: engineerToken(),
      body: { caseId: uid('CASE'), customerId: 'acme', platform: 'acme', severity: 'low', summary: 'stop test', findings: 'f' },
    }).catch(() => undefined); // connections refused once the server has closed are fine
    // keep requests, queue batches (opening incidents) and schedule runs going, then stop in the middle
    let answered = 0;
    let fifth!: () => void;
    const fiveAnswered = new Promise<void>((r) => { fifth = r; });
    const answers = Array.from({ length: 60 }, () => flag().then((a) => { if (++answered === 5) fifth(); return a; }));
    await fiveAnswered;
    const sweep = hub.runSchedule(hub.topology.schedules[0]!.name).catch(() => undefined);
    await e2e.restart(); // stop (must not throw) and start again on the same data
    await sweep;
    const accepted = (await Promise.all(answers)).filter((a) => a?.status === 202).map((a) => a!.json.escalationId as string);
    console.log(`accepted ${accepted.length} of ${answers.length} before the stop`);
    expect(accepted.length).toBeGreaterThan(0);
    for (const id of accepted) {
      const g = await http(e2e.hub.url, 'GET', `/v1/escalations/${id}`, { token: engineerToken() });
      expect(g.status).toBe(200);
    }
  });
});
