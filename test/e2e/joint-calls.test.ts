import { createServer } from 'node:net';
import { parseHubConfig } from '../../core/config';
import { silentLog } from '../../core/deps';
import { startLocalHub, type LocalHub } from '../../local/hub';
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
});
