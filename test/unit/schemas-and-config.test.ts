import { parseHubConfig, routePartner, substituteEnv } from '../../core/config';
import { ConfigError, ValidationError } from '../../core/errors';
import { CreateEscalationRequest, parseOrThrow } from '../../core/schemas';
import { loadHubConfig } from '../../functions/adapters/config-source';
import { execSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readDeployedHubConfig } from '../../infra/hub-config';
import { BUNDLED_CONFIG_FILE, bundleConfig } from '../../infra/hub-function';

const valid = {
  caseId: 'CASE-1001', customerId: 'acme', platform: 'teams', severity: 'high',
  summary: 'Audio drops', findings: 'Device logs show ...',
};

const detailsOf = (value: unknown) => {
  try {
    parseOrThrow(CreateEscalationRequest, value);
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return (e as ValidationError).details!;
  }
  throw new Error('expected a validation error');
};

describe('CreateEscalationRequest', () => {
  it('accepts the contract example, with partnerId or platform', () => {
    expect(parseOrThrow(CreateEscalationRequest, valid).caseId).toBe('CASE-1001');
    const { platform: _p, ...withoutPlatform } = valid;
    expect(parseOrThrow(CreateEscalationRequest, { ...withoutPlatform, partnerId: 'microsoft' }).partnerId).toBe('microsoft');
  });

  it('names the failing field', () => {
    expect(detailsOf({ ...valid, severity: 'urgent-ish' }).map((d) => d.path)).toContain('severity');
    expect(detailsOf({ ...valid, caseId: 'bad id with spaces' }).map((d) => d.path)).toContain('caseId');
    expect(detailsOf({ ...valid, summary: 'x'.repeat(201) }).map((d) => d.path)).toContain('summary');
    expect(detailsOf({ ...valid, findings: '' }).map((d) => d.path)).toContain('findings');
  });

  it('enforces the edges of the lengths', () => {
    expect(() => parseOrThrow(CreateEscalationRequest, { ...valid, caseId: 'x'.repeat(64), summary: 's'.repeat(200), findings: 'f'.repeat(20000) })).not.toThrow();
    expect(detailsOf({ ...valid, caseId: 'x'.repeat(65) }).map((d) => d.path)).toContain('caseId');
    expect(detailsOf({ ...valid, findings: 'f'.repeat(20001) }).map((d) => d.path)).toContain('findings');
    expect(detailsOf({ ...valid, summary: '   ' }).map((d) => d.path)).toContain('summary');
  });

  it('rejects unknown fields by name, and a request with neither platform nor partnerId', () => {
    expect(detailsOf({ ...valid, surprise: true }).map((d) => d.path)).toContain('surprise');
    const { platform: _p, ...neither } = valid;
    expect(detailsOf(neither).map((d) => d.path)).toContain('platform');
  });

  it('takes the customer\'s request and entitlement, each checked by name', () => {
    const customerRequest = { at: '2026-11-25T14:30:00+01:00', by: 'Ana (acme IT)', channel: 'phone' };
    expect(parseOrThrow(CreateEscalationRequest, { ...valid, customerRequest, partnerEntitlement: 'PREMIER-4711' }))
      .toMatchObject({ customerRequest, partnerEntitlement: 'PREMIER-4711' });
    expect(() => parseOrThrow(CreateEscalationRequest, { ...valid, partnerEntitlement: 'e'.repeat(200) })).not.toThrow();
    expect(detailsOf({ ...valid, partnerEntitlement: 'e'.repeat(201) }).map((d) => d.path)).toEqual(['partnerEntitlement']);
    expect(detailsOf({ ...valid, partnerEntitlement: '  ' }).map((d) => d.path)).toEqual(['partnerEntitlement']);
    expect(detailsOf({ ...valid, customerRequest: { ...customerRequest, channel: 'fax' } }).map((d) => d.path)).toEqual(['customerRequest.channel']);
    expect(detailsOf({ ...valid, customerRequest: { ...customerRequest, at: 'yesterday' } }).map((d) => d.path)).toEqual(['customerRequest.at']);
    expect(detailsOf({ ...valid, customerRequest: { at: customerRequest.at, channel: 'desk' } }).map((d) => d.path)).toEqual(['customerRequest.by']);
    expect(detailsOf({ ...valid, customerRequest: { ...customerRequest, note: 'x' } }).map((d) => d.path)).toEqual(['customerRequest.note']);
  });

  it('rejects non-objects and wrong types', () => {
    for (const v of [null, [], 'text', 42, { ...valid, severity: 3 }, { ...valid, product: { model: 5 } }]) {
      expect(detailsOf(v).length).toBeGreaterThan(0);
    }
  });
});

describe('hub configuration', () => {
  const partner = { id: 'acme-cloud', name: 'Acme', platforms: ['acme'], connector: 'generic-rest', baseUrl: 'http://127.0.0.1:4500' };

  it('fills the documented defaults', () => {
    const cfg = parseHubConfig({ partners: [partner] }, {});
    expect(cfg.partners[0]!.retry).toEqual({ maxAttempts: 8, initialDelayMs: 2000, maxDelayMs: 300000 });
    expect(cfg.partners[0]!.pollIntervalSeconds).toBe(300);
    expect(cfg.partners[0]!.thresholds).toEqual({
      ticketWithinMinutes: 240, partnerUpdateWithinMinutes: 1440, severityMultipliers: { critical: 0.25, high: 0.5, medium: 1, low: 2 },
    });
  });

  it('replaces ${ENV} references and names a missing variable', () => {
    expect(substituteEnv({ a: ['x-${T}'] }, { T: 'tok' })).toEqual({ a: ['x-tok'] });
    expect(() => substituteEnv({ credentials: { token: '${NOPE}' } }, {})).toThrow(/credentials\.token: environment variable NOPE is not set/);
  });

  it('refuses a platform served by two partners, naming the field', () => {
    const other = { ...partner, id: 'other', platforms: ['zoom', 'acme'] };
    expect(() => parseHubConfig({ partners: [partner, other] }, {})).toThrow(/partners\[1\]\.platforms\[1\]: platform "acme" is already served by partner "acme-cloud"/);
  });

  it('refuses duplicate ids, bad ids and bad URLs', () => {
    expect(() => parseHubConfig({ partners: [partner, partner] }, {})).toThrow(ConfigError);
    expect(() => parseHubConfig({ partners: [{ ...partner, id: 'Bad_Id' }] }, {})).toThrow(/partners\[0\]\.id/);
    expect(() => parseHubConfig({ partners: [{ ...partner, baseUrl: 'ftp://x' }] }, {})).toThrow(/partners\[0\]\.baseUrl/);
  });

  it('takes a partner\'s requires list of request fields, and refuses any other or the same twice', () => {
    expect(parseHubConfig({ partners: [partner] }, {}).partners[0]!.requires).toEqual([]);
    const requires = ['customerRequest', 'partnerEntitlement'];
    expect(parseHubConfig({ partners: [{ ...partner, requires }] }, {}).partners[0]!.requires).toEqual(requires);
    expect(() => parseHubConfig({ partners: [{ ...partner, requires: ['findings'] }] }, {})).toThrow(/partners\[0\]\.requires\[0\]/);
    expect(() => parseHubConfig({ partners: [{ ...partner, requires: ['partnerEntitlement', 'partnerEntitlement'] }] }, {}))
      .toThrow(/partners\[0\]\.requires: names a field twice/);
  });

  it('routes by platform, and an explicit partnerId wins', () => {
    const cfg = parseHubConfig({ partners: [partner, { ...partner, id: 'zoom', platforms: ['zoom'] }] }, {});
    expect(routePartner(cfg, { platform: 'zoom' })?.id).toBe('zoom');
    expect(routePartner(cfg, { platform: 'zoom', partnerId: 'acme-cloud' })?.id).toBe('acme-cloud');
    expect(routePartner(cfg, { platform: 'nothing' })).toBeUndefined();
    expect(routePartner(cfg, { partnerId: 'nobody' })).toBeUndefined();
  });
});

describe('the configuration as the stack passes it to the functions', () => {
  it('is bundled beside each function\'s code as hub.config.json, and read back from there as written', () => {
    const committed = readDeployedHubConfig();
    const out = mkdtempSync(join(tmpdir(), 'hub-bundle-config-'));
    for (const command of bundleConfig(committed.rawJson).afterBundling('unused', out)) execSync(command);
    expect(readFileSync(join(out, BUNDLED_CONFIG_FILE), 'utf8')).toBe(committed.rawJson);
    const secrets = Object.fromEntries(committed.secretNames.map((n) => [n, `whsec_${Buffer.from(n).toString('base64')}`]));
    expect(loadHubConfig({ ...secrets, HUB_CONFIG: join(out, BUNDLED_CONFIG_FILE) })).toEqual(loadHubConfig({ ...secrets, HUB_CONFIG_JSON: committed.rawJson }));
  });
});
