/**
 * The functions' registries against the full one (connectors/registry.ts, what the local runtime uses):
 * - the webhook function's (webhook-registry.ts): the connectors' inbound halves, with the same ids,
 *   settings validation and webhook answers, and no partner calls;
 * - the partner-calling functions' (ticketing-registry.ts): the ticketing partner calls, collaboration
 *   settings only, no webhooks;
 * - the API function's (collaboration-registry.ts): the collaboration partner calls, ticketing settings
 *   only, no webhooks.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildRegistry } from '../../connectors/registry';
import { signStandardWebhook } from '../../connectors/standard-webhooks';
import { buildWebhookRegistry } from '../../connectors/webhook-registry';
import { zoomSignature } from '../../connectors/zoom/webhook';
import { parseHubConfig } from '../../core/config';
import { buildCollaborationRegistry } from '../../connectors/collaboration-registry';
import { buildPollerRegistry } from '../../connectors/poller-registry';
import { buildTicketingRegistry } from '../../connectors/ticketing-registry';
import { ConfigError, PartnerCallError } from '../../core/errors';
import type { RawWebhook } from '../../core/ports';
import { testConfig } from '../support/fixtures';

const SECRET = 'whsec_' + Buffer.from('test-webhook-secret').toString('base64');
const NOW = new Date('2026-11-25T10:00:00Z');

const signed = (body: string, id = 'msg_1'): RawWebhook => {
  const ts = Math.floor(NOW.getTime() / 1000);
  return { headers: { 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': signStandardWebhook(SECRET, id, ts, body) }, body, query: {} };
};

describe('webhook registry', () => {
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

describe('the partner-calling and API registries', () => {
  const zoomPartner = (connector: string) => parseHubConfig({
    partners: [{
      id: 'acme-cloud', name: 'Acme', platforms: ['acme'], connector, portalUrl: 'https://portal.example', baseUrl: 'http://127.0.0.1:1',
      credentials: { token: 't' }, webhookSecret: SECRET,
      collaboration: { connector: 'zoom', baseUrl: 'http://127.0.0.1:1/v2', oauthUrl: 'http://127.0.0.1:1/oauth/token', credentials: { accountId: 'a', clientId: 'c', clientSecret: 's' }, webhookSecret: 'zs' },
    }],
  }, {});
  const joint = { externalId: 'x', subject: 's', startTime: NOW.toISOString(), durationMinutes: 30, agenda: 'a' };
  const incident = { externalRef: 'r', title: 't', description: 'd', severity: 'low' as const, caseId: 'c', customerId: 'u' };

  it('the partner-calling functions call ticketing APIs and only check collaboration settings', async () => {
    const registry = buildTicketingRegistry(zoomPartner('generic-rest'));
    // a real call (nothing listens on port 1), not a refusal
    await expect(registry.ticketing('acme-cloud')!.openIncident(incident)).rejects.toBeInstanceOf(PartnerCallError);
    await expect(registry.collaboration('acme-cloud')!.scheduleJointCall(joint)).rejects.toThrow(/only checks the collaboration settings/);
    // meeting webhooks are the webhook function's: these functions carry no Zoom code at all
    const body = JSON.stringify({ event: 'meeting.started', event_ts: NOW.getTime(), payload: { object: { id: 1 } } });
    const ts = String(Math.floor(NOW.getTime() / 1000));
    const req: RawWebhook = { headers: { 'x-zm-request-timestamp': ts, 'x-zm-signature': zoomSignature('zs', ts, body) }, body, query: {} };
    expect(() => registry.collaboration('acme-cloud')!.verifyWebhook(req, NOW)).toThrow(/only checks the collaboration settings/);
    // so are ticketing webhooks: the HTTP halves carry no inbound code, and these registries say so
    const update = signed(JSON.stringify({ type: 'incident.updated', data: { id: 'T-1', status: 'open', updatedAt: NOW.toISOString() } }));
    expect(() => registry.ticketing('acme-cloud')!.verifyWebhook(update, NOW)).toThrow(ConfigError);
    expect(() => registry.ticketing('acme-cloud')!.parseWebhook(update)).toThrow(/partner worker, comment forwarder or poller.*verified and parsed by the webhook function/);
  });

  it('the API function schedules joint calls, tells manual partners apart, and makes no ticketing call', async () => {
    const registry = buildCollaborationRegistry(zoomPartner('generic-rest'));
    const err = await registry.collaboration('acme-cloud')!.scheduleJointCall(joint).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PartnerCallError); // it tried Zoom's token endpoint
    await expect(registry.ticketing('acme-cloud')!.getIncident('T-1')).rejects.toThrow(/only checks the ticketing settings/);
    expect(() => registry.ticketing('acme-cloud')!.parseWebhook({ headers: {}, body: '{}', query: {} })).toThrow(/only checks the ticketing settings/);
    // meeting webhooks are the webhook function's: the collaboration HTTP halves carry no inbound code
    const meeting = registry.collaboration('acme-cloud')!;
    expect(meeting.provider).toBe('zoom');
    expect(() => meeting.verifyWebhook({ headers: {}, body: '{}', query: {} }, NOW)).toThrow(ConfigError);
    expect(() => meeting.parseWebhook({ headers: {}, body: '{}', query: {} })).toThrow(/API or meeting subscriptions.*verified and parsed by the webhook function/);
    expect(registry.ticketing('acme-cloud')!.mode).toBeUndefined();
    expect(buildCollaborationRegistry(zoomPartner('manual')).ticketing('acme-cloud')!.mode).toBe('manual');
    expect(buildRegistry(zoomPartner('manual')).ticketing('acme-cloud')!.mode).toBe('manual');
  });

  it('both validate settings with the same errors as the full registry', () => {
    const messageOf = (build: () => unknown) => { try { build(); } catch (e) { return e instanceof ConfigError ? e.message : String(e); } return undefined; };
    const badTicketing = testConfig('http://127.0.0.1:1', { credentials: {}, webhookSecret: 'not-a-whsec' });
    const badCollab = testConfig('http://127.0.0.1:1', { collaboration: { connector: 'zoom', credentials: { accountId: 'a', clientId: 'c' }, webhookSecret: 'x' } });
    for (const bad of [badTicketing, badCollab]) {
      const full = messageOf(() => buildRegistry(bad));
      expect(full).toMatch(/^partners\[acme-cloud\]/);
      expect(messageOf(() => buildTicketingRegistry(bad))).toBe(full);
      expect(messageOf(() => buildCollaborationRegistry(bad))).toBe(full);
    }
  });

  it('only the poller asks service-health sources; the others check their settings, with the full registry\'s errors', async () => {
    const withSource = testConfig('http://127.0.0.1:1', { serviceHealth: { source: 'statuspage', url: 'http://127.0.0.1:1', components: ['Meetings'] } });
    // a real call (nothing listens on port 1), not a refusal
    await expect(buildPollerRegistry(withSource).serviceHealth('acme-cloud')!.listActive()).rejects.toBeInstanceOf(PartnerCallError);
    expect(buildPollerRegistry(withSource).serviceHealth('acme-cloud')!.pollIntervalSeconds).toBe(300);
    for (const build of [buildTicketingRegistry, buildCollaborationRegistry, buildWebhookRegistry]) {
      const health = build(withSource).serviceHealth('acme-cloud')!;
      expect(health.source).toBe('statuspage');
      await expect(health.listActive()).rejects.toThrow(/only checks the serviceHealth settings/);
    }
    expect(buildTicketingRegistry(testConfig('http://127.0.0.1:1')).serviceHealth('acme-cloud')).toBeUndefined();
    const messageOf = (build: () => unknown) => { try { build(); } catch (e) { return e instanceof ConfigError ? e.message : String(e); } return undefined; };
    const bad = testConfig('http://127.0.0.1:1', { serviceHealth: { source: 'statuspage', url: 'not a url' } });
    const unknown = testConfig('http://127.0.0.1:1', { serviceHealth: { source: 'pagerduty' } });
    expect(messageOf(() => buildRegistry(bad))).toBe('partners[acme-cloud].serviceHealth.url: must be an http or https URL');
    expect(messageOf(() => buildRegistry(unknown))).toBe('partners[0].serviceHealth.source: unknown service-health source "pagerduty" (known: microsoft365, statuspage)');
    for (const build of [buildPollerRegistry, buildTicketingRegistry, buildCollaborationRegistry, buildWebhookRegistry]) {
      expect(messageOf(() => build(bad))).toBe(messageOf(() => buildRegistry(bad)));
    }
  });

  it.each(readdirSync(join(__dirname, '..', '..', 'examples')).filter((f) => f.endsWith('.json')))('both build for examples/%s', (file) => {
    const text = readFileSync(join(__dirname, '..', '..', 'examples', file), 'utf8');
    const env = Object.fromEntries([...text.matchAll(/\$\{([A-Z0-9_]+)\}/g)].map(([, name]) => [name!,
      /WEBHOOK_SECRET$/.test(name!) && /ACME|CONTOSO/.test(name!) ? SECRET : /EMAIL$/.test(name!) ? 'ops@vendor.example' : `value-of-${name}`]));
    const config = parseHubConfig(JSON.parse(text), env);
    for (const build of [buildTicketingRegistry, buildCollaborationRegistry]) {
      const registry = build(config);
      for (const p of config.partners) expect(registry.ticketing(p.id)).toBeDefined();
    }
  });
});
