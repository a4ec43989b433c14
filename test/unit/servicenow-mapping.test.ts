/** ServiceNow: state codes, severity → urgency/impact, the UTC date-time format, and the push signature (Standard Webhooks vector). */
import { fromServiceNowTime, mapServiceNowState, toServiceNowTime } from '../../connectors/servicenow/mapping';
import { SERVICENOW_URGENCY_IMPACT, serviceNowConnector } from '../../connectors/servicenow/ticketing';
import { parseHubConfig } from '../../core/config';
import { ValidationError } from '../../core/errors';
import { fullConnector } from '../support/connector-harness';

const profile = (over: Record<string, unknown> = {}) => parseHubConfig({
  partners: [{
    id: 'acme-itsm', name: 'Acme ITSM', platforms: ['acme'], connector: 'servicenow', baseUrl: 'https://acme.service-now.com',
    credentials: { username: 'hub.integration', password: 'pw' }, ...over,
  }],
}, {}).partners[0]!;

describe('servicenow mapping', () => {
  it('maps the incident states of API.md, tolerating whitespace and leaving anything else unmapped', () => {
    expect(['1', '2', '3', '6', '7', '8'].map(mapServiceNowState)).toEqual(['open', 'in_progress', 'awaiting_info', 'resolved', 'closed', 'closed']);
    expect(mapServiceNowState(' 2 ')).toBe('in_progress');
    expect(['-2', '4', '5', '', 'New', 'toString', '__proto__'].map(mapServiceNowState)).toEqual([null, null, null, null, null, null, null]);
  });

  it('derives urgency and impact from the hub severity (1 high … 3 low), as strings', () => {
    expect(SERVICENOW_URGENCY_IMPACT).toEqual({
      critical: { urgency: '1', impact: '1' }, high: { urgency: '1', impact: '2' }, medium: { urgency: '2', impact: '2' }, low: { urgency: '3', impact: '3' },
    });
  });

  it('reads and writes sys_updated_on (YYYY-MM-DD HH:mm:ss, UTC)', () => {
    expect(fromServiceNowTime('2026-11-25 10:15:02')).toBe('2026-11-25T10:15:02.000Z');
    expect(toServiceNowTime(new Date('2026-11-25T10:15:02.987Z'))).toBe('2026-11-25 10:15:02');
    expect(() => fromServiceNowTime('25/11/2026')).toThrow(ValidationError);
  });

  it('verifies the Standard Webhooks reference vector (the business-rule push scheme)', () => {
    const c = fullConnector(serviceNowConnector, profile({ webhookSecret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }));
    const headers = { 'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek', 'webhook-timestamp': '1614265330', 'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=' };
    const at = new Date(1614265330 * 1000);
    expect(c.verifyWebhook({ headers, body: '{"test": 2432232314}', query: {} }, at)).toEqual({ kind: 'ok', deliveryId: 'msg_p5jXN8AQM9LWM0D4loKWxJek' });
    expect(c.verifyWebhook({ headers, body: '{"test":2432232314}', query: {} }, at).kind).toBe('rejected');
    expect(c.verifyWebhook({ headers, body: '{"test": 2432232314}', query: {} }, new Date(at.getTime() + 301_000)).kind).toBe('rejected');
  });

  it('rejects the polling cursor of another connector rather than polling from nowhere', async () => {
    const c = serviceNowConnector(profile());
    await expect(c.listUpdatedSince!('yesterday')).rejects.toThrow(ValidationError);
  });
});
