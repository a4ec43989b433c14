/** Jira: default status names, the statusMap overlay, the label scheme, and the X-Hub-Signature vector. */
import { jiraStatusMapper, jiraTime } from '../../connectors/jira/mapping';
import { jiraLabelFor } from '../../connectors/jira/ticketing';
import { signJiraWebhook, verifyJiraSignature } from '../../connectors/jira/webhook';

describe('jira mapping and signature', () => {
  it('maps JSM template status names case-insensitively; unknown names stay unmapped', () => {
    const map = jiraStatusMapper();
    expect(['Open', 'Waiting for support', 'In Progress', 'Waiting for customer', 'Pending', 'Resolved', 'Done', 'Closed', 'Canceled', 'Declined'].map(map))
      .toEqual(['open', 'in_progress', 'in_progress', 'awaiting_info', 'awaiting_info', 'resolved', 'resolved', 'closed', 'closed', 'closed']);
    expect(map('WAITING FOR CUSTOMER')).toBe('awaiting_info');
    expect(map('Vendor triage')).toBeNull();
    expect(map('constructor')).toBeNull();
  });

  it('lets the profile statusMap add and override names', () => {
    const map = jiraStatusMapper({ 'Vendor Triage': 'in_progress', 'Waiting for support': 'open' });
    expect([map('vendor triage'), map('Waiting for Support'), map('Resolved')]).toEqual(['in_progress', 'open', 'resolved']);
  });

  it('turns the hub reference into a label Jira accepts and JQL can quote', () => {
    expect(jiraLabelFor('hub:esc_01JD3Z6B3Q9X2M7Y8K4W5V6T7R')).toBe('hub-esc_01JD3Z6B3Q9X2M7Y8K4W5V6T7R');
    expect(jiraLabelFor('hub:esc a"b')).toBe('hub-esc-a-b');
  });

  it('signs with sha256=<hex HMAC> over the raw body (vector computed with openssl dgst -sha256 -hmac)', () => {
    const body = '{"timestamp":1764064800000,"webhookEvent":"jira:issue_updated"}';
    const expected = 'sha256=f6781c7df14ae978071e8d70e92fd6b6791bf2792cc1e97c8d10409d76a893f1';
    expect(signJiraWebhook('It is a secret to everybody', body)).toBe(expected);
    expect(verifyJiraSignature(['It is a secret to everybody'], expected, body)).toBe(true);
    expect(verifyJiraSignature(['It is a secret to everybody'], expected.toUpperCase().replace('SHA256=', 'sha256='), body)).toBe(true);
    expect(verifyJiraSignature(['It is a secret to everybody'], expected, body.replace('1764064800000', '1764064800001'))).toBe(false);
    expect(verifyJiraSignature(['another secret'], expected, body)).toBe(false);
    expect(verifyJiraSignature(['It is a secret to everybody'], expected.slice(7), body)).toBe(false);
    expect(verifyJiraSignature(['It is a secret to everybody'], undefined, body)).toBe(false);
  });

  it('reads Jira dates with colon-less offsets', () => {
    expect(new Date(jiraTime('2026-11-25T11:00:00.000+0100')).toISOString()).toBe('2026-11-25T10:00:00.000Z');
  });
});
