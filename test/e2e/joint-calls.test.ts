import { createServer } from 'node:net';
import { parseHubConfig } from '../../core/config';
import { silentLog } from '../../core/deps';
import { startLocalHub, type LocalHub } from '../../local/hub';
import type { TeamsSandbox } from '../../connectors/teams/sandbox';
import { uid } from '../support/fixtures';
import { engineerToken, http, JWT_SECRET, waitFor } from '../support/local-hub';

const freePort = () => new Promise<number>((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const { port } = s.address() as { port: number };
    s.close(() => resolve(port));
  });
});

let hub: LocalHub;
beforeAll(async () => {
  const [ticketPort, teamsPort, zoomPort] = [await freePort(), await freePort(), await freePort()];
  const config = parseHubConfig({ partners: [
    {
      id: 'microsoft', name: 'Microsoft', platforms: ['teams'], connector: 'generic-rest', sandbox: true,
      baseUrl: `http://127.0.0.1:${ticketPort}`, credentials: { token: 't' }, webhookSecret: 'whsec_' + Buffer.from('s').toString('base64'),
      collaboration: {
        connector: 'teams', sandbox: true, graphUrl: `http://127.0.0.1:${teamsPort}/v1.0`, loginUrl: `http://127.0.0.1:${teamsPort}`,
        credentials: { tenantId: 'tenant', clientId: 'client', clientSecret: 'secret' }, organizerUserId: 'organizer', clientState: 'state-123',
      },
    },
    {
      id: 'zoom', name: 'Zoom', platforms: ['zoom'], connector: 'manual', baseUrl: 'https://zoom.example', portalUrl: 'https://support.zoom.com',
      collaboration: {
        connector: 'zoom', sandbox: true, baseUrl: `http://127.0.0.1:${zoomPort}/v2`, oauthUrl: `http://127.0.0.1:${zoomPort}/oauth/token`,
        credentials: { accountId: 'acct', clientId: 'client', clientSecret: 'secret' }, webhookSecret: 'zoom-secret-token',
      },
    },
  ] }, {});
  hub = await startLocalHub({ config, dataDir: 'memory', jwtSecret: JWT_SECRET, log: silentLog, sweepIntervalMs: 500 });
});
afterAll(() => hub.stop());

const escalate = (platform: string) => http(hub.url, 'POST', '/v1/escalations', {
  token: engineerToken(), body: { caseId: uid('CASE'), customerId: 'acme', platform, severity: 'high', summary: 'Rooms audio', findings: 'logs' },
});
const timeline = async (id: string) => (await http(hub.url, 'GET', `/v1/escalations/${id}`, { token: engineerToken() })).json.timeline as { type: string; detail: Record<string, unknown> }[];

describe('joint calls through the local runtime and the meeting sandboxes', () => {
  for (const platform of ['teams', 'zoom']) {
    it(`schedules a ${platform} call and records the meeting's events from its signed webhooks`, async () => {
      const { json: esc } = await escalate(platform);
      const r = await http(hub.url, 'POST', `/v1/escalations/${esc.escalationId}/joint-calls`, { token: engineerToken(), body: { durationMinutes: 45 } });
      expect(r.status).toBe(201);
      expect(r.json).toMatchObject({ provider: platform, meetingId: expect.any(String), joinUrl: expect.stringMatching(/^https?:\/\//) });
      expect((await timeline(esc.escalationId)).some((t) => t.type === 'joint_call_scheduled')).toBe(true);

      const sandbox = hub.sandboxes.get(`${esc.partnerId}/collaboration`)!;
      if (platform === 'teams') {
        // Graph sends meeting events only to a subscription: the one the hub creates itself, on its next schedule run
        await waitFor('the hub\'s Graph subscription', async () =>
          [...(sandbox as TeamsSandbox).subscriptions.values()].some((x) => x.resource.includes(r.json.joinUrl)));
      }
      await sandbox.move(r.json.meetingId, platform === 'teams' ? 'CallStarted' : 'meeting.started');
      const events = await waitFor('the meeting event in the timeline', async () => {
        const t = (await timeline(esc.escalationId)).filter((x) => x.type === 'joint_call_event');
        return t.length ? t : false;
      });
      expect(events[0]!.detail.event).toBe('meeting.started');
    });
  }

  it('answers 409 for a partner without a collaboration connector, and handshakes on the collaboration webhook', async () => {
    const plain = await startLocalHub({
      config: parseHubConfig({ partners: [{ id: 'acme', name: 'Acme', platforms: ['acme'], connector: 'manual', baseUrl: 'https://a.example', portalUrl: 'https://a.example' }] }, {}),
      dataDir: 'memory', jwtSecret: JWT_SECRET, log: silentLog,
    });
    try {
      const { json } = await http(plain.url, 'POST', '/v1/escalations', { token: engineerToken(), body: { caseId: uid('CASE'), customerId: 'acme', platform: 'acme', severity: 'low', summary: 's', findings: 'f' } });
      const r = await http(plain.url, 'POST', `/v1/escalations/${json.escalationId}/joint-calls`, { token: engineerToken(), body: {} });
      expect(r.status).toBe(409);
      expect(r.json.error.code).toBe('conflict');
      expect((await http(plain.url, 'POST', '/v1/webhooks/acme/collaboration', { raw: '{}' })).status).toBe(404);
    } finally {
      await plain.stop();
    }
    const handshake = await fetch(`${hub.url}/v1/webhooks/microsoft/collaboration?validationToken=${encodeURIComponent('Validation: token 1+2')}`, { method: 'POST' });
    expect(handshake.status).toBe(200);
    expect(handshake.headers.get('content-type')).toMatch(/text\/plain/);
    expect(await handshake.text()).toBe('Validation: token 1+2');
  });

  it('Teams: the hub subscribes to the meeting itself, and its events reach the timeline only through that subscription', async () => {
    const { json: esc } = await escalate('teams');
    const sandbox = hub.sandboxes.get(`${esc.partnerId}/collaboration`) as TeamsSandbox;
    const r = await http(hub.url, 'POST', `/v1/escalations/${esc.escalationId}/joint-calls`, { token: engineerToken(), body: { durationMinutes: 30 } });
    expect(r.status).toBe(201);
    // a retried request adds no second subscription
    expect((await http(hub.url, 'POST', `/v1/escalations/${esc.escalationId}/joint-calls`, { token: engineerToken(), body: {} })).status).toBe(201);

    const record = await waitFor('the subscription recorded with its Graph id', async () => {
      const s = await hub.deps.store.getMeetingSubscription(esc.partnerId, r.json.meetingId);
      return s?.subscriptionId ? s : false;
    });
    const graphSub = sandbox.subscriptions.get(record.subscriptionId!)!;
    expect(graphSub).toMatchObject({
      notificationUrl: `${hub.url}/v1/webhooks/${esc.partnerId}/collaboration`,
      lifecycleNotificationUrl: `${hub.url}/v1/webhooks/${esc.partnerId}/collaboration`,
      clientState: 'state-123', changeType: 'updated', includeResourceData: false,
    });
    expect(graphSub.resource).toBe(`/communications/onlineMeetings/?$filter=JoinWebUrl eq '${r.json.joinUrl}'`);
    expect(record.expiresAt).toBe(graphSub.expirationDateTime);
    expect([...sandbox.subscriptions.values()].filter((x) => x.resource === graphSub.resource)).toHaveLength(1);

    const moved = await sandbox.move(r.json.meetingId, 'CallStarted');
    expect(moved).toMatchObject({ delivered: 1, status: 200 });
    expect(sandbox.deliveries.filter((d) => d.subscriptionId === record.subscriptionId && d.kind === 'change')).toHaveLength(1);
    const events = await waitFor('the meeting event in the timeline', async () => {
      const t = (await timeline(esc.escalationId)).filter((x) => x.type === 'joint_call_event');
      return t.length ? t : false;
    });
    expect(events[0]!.detail).toMatchObject({ event: 'meeting.started', joinWebUrl: r.json.joinUrl });

    // Graph drops the subscription: the hub notes the gap and subscribes again
    expect((await sandbox.lifecycle(record.subscriptionId!, 'subscriptionRemoved')).status).toBe(200);
    const again = await waitFor('a new subscription', async () => {
      const s = await hub.deps.store.getMeetingSubscription(esc.partnerId, r.json.meetingId);
      return s?.subscriptionId && s.subscriptionId !== record.subscriptionId && sandbox.subscriptions.has(s.subscriptionId) ? s : false;
    });
    expect((await sandbox.move(r.json.meetingId, 'CallEnded')).delivered).toBe(1);
    const types = await waitFor('the removal, the re-creation and the end in the timeline', async () => {
      const t = (await timeline(esc.escalationId)).map((x) => (x.type === 'joint_call_event' ? String(x.detail.event) : x.type));
      return ['joint_call_subscription_removed', 'joint_call_subscription_recreated', 'meeting.ended'].every((x) => t.includes(x)) ? t : false;
    });
    expect(types).toContain('meeting.started');
    expect(again.subscriptionId).not.toBe(record.subscriptionId);
  });
});
