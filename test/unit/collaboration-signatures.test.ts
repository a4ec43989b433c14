/**
 * Signature and delivery-id vectors for the collaboration connectors, computed independently of the code
 * under test: fixed vectors from `openssl dgst -sha256 -hmac <secret>` over the documented message, and
 * random ones from node:crypto following the documented formula.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { teamsConnector } from '../../connectors/teams/collaboration';
import { canonicalJson, graphDeliveryId } from '../../connectors/teams/webhook';
import { zoomConnector } from '../../connectors/zoom/collaboration';
import { zoomDeliveryId, zoomEncryptedToken, zoomSignature } from '../../connectors/zoom/webhook';
import { buildRegistry } from '../../connectors/registry';
import { parseHubConfig } from '../../core/config';
import { ConfigError } from '../../core/errors';
import { fullConnector } from '../support/connector-harness';
import { testConfig } from '../support/fixtures';

const profile = testConfig('http://127.0.0.1:1').partners[0]!;
const SECRET = 'zoom_secret_token_for_tests';
const zoom = (secret = SECRET) => fullConnector(zoomConnector, {
  ...profile, collaboration: {
    connector: 'zoom', credentials: { accountId: 'a', clientId: 'c', clientSecret: 's' }, webhookSecret: secret,
  },
});

describe('Zoom webhook signature (v0=hex HMAC-SHA256(secret, "v0:{ts}:{raw body}"))', () => {
  // printf '%s' 'v0:1700000000:<body>' | openssl dgst -sha256 -hmac zoom_secret_token_for_tests
  const body = '{"event":"meeting.started","payload":{"account_id":"acct_1","object":{"id":"85012345678","uuid":"4444AAAiAAAAAiAiAiiAii==","topic":"Joint call"}},"event_ts":1700000000123}';
  const vector = 'v0=39370d60a21d99edb615af8c19f641e64f90790e7e6ad09a19d2a69b903f6ded';
  const at = new Date(1700000000 * 1000 + 30_000);

  it('matches the openssl vector and accepts it', () => {
    expect(zoomSignature(SECRET, '1700000000', body)).toBe(vector);
    expect(zoom().verifyWebhook({ headers: { 'x-zm-request-timestamp': '1700000000', 'x-zm-signature': vector }, body, query: {} }, at))
      .toEqual({ kind: 'ok', deliveryId: 'zoom:' + createHash('sha256').update(body).digest('hex') });
  });

  it('refuses the vector under another secret, another timestamp, or a body one byte off', () => {
    const verify = (b: string, ts: string, c = zoom()) => c.verifyWebhook({ headers: { 'x-zm-request-timestamp': ts, 'x-zm-signature': vector }, body: b, query: {} }, at).kind;
    expect(verify(body, '1700000000', zoom('another_secret'))).toBe('rejected');
    expect(verify(body, '1700000001')).toBe('rejected');
    expect(verify(body + '\n', '1700000000')).toBe('rejected');
    expect(verify(body.replace('Joint call', 'Joint cal!'), '1700000000')).toBe('rejected');
  });

  it('agrees with node:crypto on random secrets and bodies, including non-ASCII bytes', () => {
    for (let i = 0; i < 20; i++) {
      const secret = randomBytes(16).toString('base64url');
      const b = JSON.stringify({ event: 'meeting.ended', payload: { object: { id: i, topic: `Réunion ✓ ${randomBytes(8).toString('hex')}` } }, event_ts: Date.now() });
      const ts = String(Math.floor(Date.now() / 1000));
      const expected = 'v0=' + createHmac('sha256', Buffer.from(secret, 'utf8')).update(Buffer.from(`v0:${ts}:${b}`, 'utf8')).digest('hex');
      expect(zoomSignature(secret, ts, b)).toBe(expected);
      expect(zoom(secret).verifyWebhook({ headers: { 'x-zm-request-timestamp': ts, 'x-zm-signature': expected }, body: b, query: {} }, new Date()).kind).toBe('ok');
    }
  });
});

describe('Zoom endpoint.url_validation (encryptedToken = hex HMAC-SHA256(secret, plainToken))', () => {
  it('matches the openssl vector and answers with it as JSON, once the request is verified', () => {
    // printf '%s' qgg8vlvZRS6UYooatFL8Aw | openssl dgst -sha256 -hmac zoom_secret_token_for_tests
    const encrypted = 'b9cedf6ce2e10fb702786f43631c52930dad935edb67067425e63efac626a321';
    expect(zoomEncryptedToken(SECRET, 'qgg8vlvZRS6UYooatFL8Aw')).toBe(encrypted);
    const body = '{"payload":{"plainToken":"qgg8vlvZRS6UYooatFL8Aw"},"event_ts":1700000000000,"event":"endpoint.url_validation"}';
    const ts = '1700000000';
    const sig = 'v0=' + createHmac('sha256', SECRET).update(`v0:${ts}:${body}`).digest('hex');
    const verdict = zoom().verifyWebhook({ headers: { 'x-zm-request-timestamp': ts, 'x-zm-signature': sig }, body, query: {} }, new Date(1700000000 * 1000));
    expect(verdict).toEqual({ kind: 'challenge', status: 200, contentType: 'application/json', body: JSON.stringify({ plainToken: 'qgg8vlvZRS6UYooatFL8Aw', encryptedToken: encrypted }) });
  });
});

describe('delivery ids', () => {
  it('Zoom: sha256 of the raw body', () => {
    const body = '{"event":"meeting.started","payload":{"object":{"id":1}}}';
    expect(zoomDeliveryId(body)).toBe('zoom:' + createHash('sha256').update(body, 'utf8').digest('hex'));
  });

  it('Graph: sha256 of the notifications in canonical JSON, without subscriptionExpirationDateTime', () => {
    const item = { subscriptionId: 's', resourceData: { eventType: 'E', eventDateTime: 'T' }, changeType: 'updated', subscriptionExpirationDateTime: 'X' };
    const canonical = '[{"changeType":"updated","resourceData":{"eventDateTime":"T","eventType":"E"},"subscriptionId":"s"}]';
    const { subscriptionExpirationDateTime: _renewed, ...rest } = item;
    expect(canonicalJson([rest])).toBe(canonical);
    expect(canonicalJson({ b: [1, { z: null, a: 'x' }], a: undefined })).toBe('{"b":[1,{"a":"x","z":null}]}');
    expect(graphDeliveryId([item])).toBe('graph:' + createHash('sha256').update(canonical).digest('hex'));
  });

  it('Graph clientState: exact match only', () => {
    const teams = fullConnector(teamsConnector, {
      ...profile, collaboration: {
        connector: 'teams', credentials: { tenantId: 't', clientId: 'c', clientSecret: 's' }, organizerUserId: 'u', clientState: 'state-1',
      },
    });
    const body = (clientState: string) => JSON.stringify({ value: [{ subscriptionId: 's', clientState, changeType: 'updated', resource: 'users/u/onlineMeetings/m' }] });
    expect(teams.verifyWebhook({ headers: {}, body: body('state-1'), query: {} }, new Date()).kind).toBe('ok');
    for (const wrong of ['state-2', 'state-1 ', 'STATE-1', 'state-', '']) {
      expect(teams.verifyWebhook({ headers: {}, body: body(wrong), query: {} }, new Date()).kind).toBe('rejected');
    }
  });
});

describe('registry wiring', () => {
  const config = (collaboration: Record<string, unknown>) => parseHubConfig({
    partners: [{ id: 'zoom', name: 'Zoom', platforms: ['zoom'], connector: 'generic-rest', baseUrl: 'http://127.0.0.1:4511', credentials: { token: 't' }, collaboration }],
  }, { ZOOM_SECRET: 's3cret' });

  it('builds the profile\'s collaboration connector from hub.config.json, ${ENV} secrets included', () => {
    const registry = buildRegistry(config({ connector: 'zoom', credentials: { accountId: 'a', clientId: 'c', clientSecret: '${ZOOM_SECRET}' }, webhookSecret: '${ZOOM_SECRET}' }));
    expect(registry.collaboration('zoom')?.provider).toBe('zoom');
    const teams = buildRegistry(config({ connector: 'teams', credentials: { tenantId: 't', clientId: 'c', clientSecret: 's' }, organizerUserId: 'u', clientState: 'cs' }));
    expect(teams.collaboration('zoom')?.provider).toBe('teams');
  });

  it('fails at start with the field named', () => {
    expect(() => buildRegistry(config({ connector: 'zoom', credentials: { accountId: 'a', clientId: 'c' }, webhookSecret: 'x' })))
      .toThrow(new ConfigError('partners[zoom].collaboration.credentials.clientSecret: clientSecret is required'));
  });
});
