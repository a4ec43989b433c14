/** Zendesk: the documented webhook signature vector (PARTNERS.md), status mapping incl. custom statuses by category, priorities. */
import { mapZendeskStatus } from '../../connectors/zendesk/mapping';
import { ZENDESK_PRIORITY, zendeskConnector } from '../../connectors/zendesk/ticketing';
import { signZendeskWebhook, verifyZendeskSignature } from '../../connectors/zendesk/webhook';
import { parseHubConfig } from '../../core/config';
import { fullConnector } from '../support/connector-harness';

// https://developer.zendesk.com/documentation/webhooks/verifying/ (key used as-is, message = timestamp + body)
const VECTOR = {
  secret: 'dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ==',
  timestamp: '2021-03-25T05:09:27Z',
  body: '{"event":"ticket.updated","id":123}',
  signature: 'S/RDdU2ERmj7LHDDoWJ2onPYH+t7/f2+LTM4dL7UiLM=',
};
const at = new Date('2021-03-25T05:10:00Z');
const headers = { 'x-zendesk-webhook-signature': VECTOR.signature, 'x-zendesk-webhook-signature-timestamp': VECTOR.timestamp, 'x-zendesk-webhook-invocation-id': '8350205' };

describe('zendesk signature and mapping', () => {
  it('signs the documented vector with the secret as-is (not base64-decoded)', () => {
    expect(signZendeskWebhook(VECTOR.secret, VECTOR.timestamp, VECTOR.body)).toBe(VECTOR.signature);
  });

  it('verifies the vector over the raw bytes within five minutes either way', () => {
    expect(verifyZendeskSignature([VECTOR.secret], headers, VECTOR.body, at)).toEqual({ ok: true });
    expect(verifyZendeskSignature(['other', VECTOR.secret], headers, VECTOR.body, at)).toEqual({ ok: true });
    expect(verifyZendeskSignature([VECTOR.secret], headers, '{"event": "ticket.updated", "id": 123}', at).ok).toBe(false);
    expect(verifyZendeskSignature([Buffer.from(VECTOR.secret, 'base64').toString('latin1')], headers, VECTOR.body, at).ok).toBe(false);
    expect(verifyZendeskSignature([VECTOR.secret], headers, VECTOR.body, new Date('2021-03-25T05:14:28Z')).ok).toBe(false);
    expect(verifyZendeskSignature([VECTOR.secret], headers, VECTOR.body, new Date('2021-03-25T05:04:26Z')).ok).toBe(false);
    expect(verifyZendeskSignature([VECTOR.secret], { ...headers, 'x-zendesk-webhook-signature-timestamp': 'soon' }, VECTOR.body, at).ok).toBe(false);
  });

  it('dedupes on the invocation id through the connector', () => {
    const c = fullConnector(zendeskConnector, parseHubConfig({
      partners: [{ id: 'globex', name: 'Globex', platforms: ['g'], connector: 'zendesk', baseUrl: 'https://globex.zendesk.com', credentials: { email: 'a@b.example', apiToken: 't' }, webhookSecret: VECTOR.secret }],
    }, {}).partners[0]!);
    expect(c.verifyWebhook({ headers, body: VECTOR.body, query: {} }, at)).toEqual({ kind: 'ok', deliveryId: '8350205', replay: { key: expect.stringMatching(/^signed:[0-9a-f]{64}$/), windowSeconds: 300 } });
  });

  it('maps system statuses in any case, custom statuses by category, and nothing else', () => {
    expect(['new', 'open', 'pending', 'hold', 'solved', 'closed'].map((s) => mapZendeskStatus(s))).toEqual(['open', 'in_progress', 'awaiting_info', 'awaiting_info', 'resolved', 'closed']);
    expect(['New', 'OPEN', ' Solved '].map((s) => mapZendeskStatus(s))).toEqual(['open', 'in_progress', 'resolved']);
    expect(mapZendeskStatus('Waiting on partner', 'hold')).toBe('awaiting_info');
    expect(mapZendeskStatus('Escalated to L3', 'open')).toBe('in_progress');
    expect(mapZendeskStatus('Escalated to L3')).toBeNull();
    expect(mapZendeskStatus('Escalated to L3', 'unknown')).toBeNull();
    expect(mapZendeskStatus('constructor')).toBeNull();
  });

  it('maps hub severities to Zendesk priorities', () => {
    expect(ZENDESK_PRIORITY).toEqual({ critical: 'urgent', high: 'high', medium: 'normal', low: 'low' });
  });
});
