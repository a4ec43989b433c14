/**
 * The webhook function's registry (connectors/webhook-registry.ts): the connectors' inbound halves, with
 * the same ids, settings validation and webhook answers as the full registry, and no partner calls.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COLLABORATION_CONNECTORS, TICKETING_CONNECTORS, buildRegistry } from '../../connectors/registry';
import { signStandardWebhook } from '../../connectors/standard-webhooks';
import { COLLABORATION_WEBHOOKS, TICKETING_WEBHOOKS, buildWebhookRegistry } from '../../connectors/webhook-registry';
import { zoomSignature } from '../../connectors/zoom/connector';
import { parseHubConfig } from '../../core/config';
import { ConfigError } from '../../core/errors';
import type { RawWebhook } from '../../core/ports';
import { testConfig } from '../support/fixtures';

const SECRET = 'whsec_' + Buffer.from('test-webhook-secret').toString('base64');
const NOW = new Date('2026-11-25T10:00:00Z');

const signed = (body: string, id = 'msg_1'): RawWebhook => {
  const ts = Math.floor(NOW.getTime() / 1000);
  return { headers: { 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': signStandardWebhook(SECRET, id, ts, body) }, body, query: {} };
};

describe('webhook registry', () => {
  it('knows the same connector ids as the full registry', () => {
    expect(Object.keys(TICKETING_WEBHOOKS).sort()).toEqual(Object.keys(TICKETING_CONNECTORS).sort());
    expect(Object.keys(COLLABORATION_WEBHOOKS).sort()).toEqual(Object.keys(COLLABORATION_CONNECTORS).sort());
  });

  it('answers webhooks exactly as the full connectors do', () => {
    const config = testConfig('http://127.0.0.1:1');
    const full = buildRegistry(config).ticketing('acme-cloud')!;
    const inbound = buildWebhookRegistry(config).ticketing('acme-cloud')!;
    const body = JSON.stringify({ type: 'incident.updated', data: { id: 'T-1', number: 'INC-1', status: 'in_progress', updatedAt: '2026-11-25T09:59:00Z' } });
    for (const req of [signed(body), signed(body + ' '), { ...signed(body), headers: {} }]) {
      expect(inbound.verifyWebhook(req, NOW)).toEqual(full.verifyWebhook(req, NOW));
    }
    expect(inbound.verifyWebhook(signed(body), NOW)).toEqual({ kind: 'ok', deliveryId: 'msg_1' });
    expect(inbound.parseWebhook(signed(body))).toEqual(full.parseWebhook(signed(body)));
  });

  it('answers collaboration webhooks (a signed Zoom event) as the full connector does', () => {
    const config = parseHubConfig({
      partners: [{
        id: 'zoom', name: 'Zoom', platforms: ['zoom'], connector: 'manual', portalUrl: 'https://portal.example',
        baseUrl: 'https://portal.example', collaboration: { connector: 'zoom', credentials: { accountId: 'a', clientId: 'c', clientSecret: 's' }, webhookSecret: 'zs' },
      }],
    }, {});
    const body = JSON.stringify({ event: 'meeting.started', event_ts: NOW.getTime(), payload: { object: { id: 85012345678 } } });
    const ts = String(Math.floor(NOW.getTime() / 1000));
    const req: RawWebhook = { headers: { 'x-zm-request-timestamp': ts, 'x-zm-signature': zoomSignature('zs', ts, body) }, body, query: {} };
    const full = buildRegistry(config).collaboration('zoom')!;
    const inbound = buildWebhookRegistry(config).collaboration('zoom')!;
    expect(inbound.provider).toBe('zoom');
    expect(inbound.verifyWebhook(req, NOW)).toEqual(full.verifyWebhook(req, NOW));
    expect(inbound.parseWebhook(req)).toEqual(full.parseWebhook(req));
  });

  it('refuses partner calls: the webhook function never makes one', async () => {
    const registry = buildWebhookRegistry(testConfig('http://127.0.0.1:1'));
    await expect(registry.ticketing('acme-cloud')!.getIncident('T-1')).rejects.toThrow(ConfigError);
    await expect(registry.ticketing('acme-cloud')!.openIncident({ externalRef: 'r', title: 't', description: 'd', severity: 'low', caseId: 'c', customerId: 'u' }))
      .rejects.toThrow(/only verifies and parses webhooks/);
  });

  it('validates settings with the same errors as the full registry', () => {
    const bad = testConfig('http://127.0.0.1:1', { credentials: {}, webhookSecret: 'not-a-whsec' });
    const messageOf = (build: () => unknown) => { try { build(); } catch (e) { return e instanceof ConfigError ? e.message : String(e); } return undefined; };
    expect(messageOf(() => buildRegistry(bad))).toMatch(/^partners\[acme-cloud\] \(generic-rest\): /);
    expect(messageOf(() => buildWebhookRegistry(bad))).toBe(messageOf(() => buildRegistry(bad)));
  });

  it.each(readdirSync(join(__dirname, '..', '..', 'examples')).filter((f) => f.endsWith('.json')))('builds for examples/%s', (file) => {
    const text = readFileSync(join(__dirname, '..', '..', 'examples', file), 'utf8');
    const env = Object.fromEntries([...text.matchAll(/\$\{([A-Z0-9_]+)\}/g)].map(([, name]) => [name!,
      /WEBHOOK_SECRET$/.test(name!) && /ACME|CONTOSO/.test(name!) ? SECRET : /EMAIL$/.test(name!) ? 'ops@vendor.example' : `value-of-${name}`]));
    const config = parseHubConfig(JSON.parse(text), env);
    const registry = buildWebhookRegistry(config);
    for (const p of config.partners) expect(registry.ticketing(p.id)).toBeDefined();
  });
});
