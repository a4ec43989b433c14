import type { EscalationDetail } from '../../cli/api-types';
import { showLines } from '../../cli/format';

const base: EscalationDetail = {
  escalationId: 'esc_1', caseId: 'CASE-1', customerId: 'acme', partnerId: 'microsoft', partnerName: 'Microsoft', platform: 'teams',
  status: 'open', severity: 'high', summary: 'Audio drops', partnerTicket: { id: 'SR-1', number: 'SR-1' }, referral: null,
  createdAt: '2026-11-25T10:00:00.000Z', updatedAt: '2026-11-25T10:05:00.000Z', timeline: [],
};

describe('hub show (human output)', () => {
  it('shows a manual partner\'s portal and instructions', () => {
    const lines = showLines({ ...base, manual: { portalUrl: 'https://partner.example/support', instructions: 'Open the incident in the portal.' } });
    expect(lines).toEqual(expect.arrayContaining([
      expect.stringMatching(/^portal\s+https:\/\/partner\.example\/support$/),
      expect.stringMatching(/^manual\s+Open the incident in the portal\.$/),
    ]));
  });

  it('shows the hub\'s own problem when there is one, and nothing otherwise', () => {
    const lines = showLines({ ...base, status: 'requested', partnerTicket: null, problem: { code: 'partner_credentials_rejected', message: 'Microsoft refused the hub\'s credentials (HTTP 401)', since: '2026-11-25T10:01:00.000Z' } });
    expect(lines.find((l) => l.startsWith('problem'))).toMatch(/partner_credentials_rejected since 2026-11-25 10:01:00Z: Microsoft refused/);
    expect(showLines({ ...base, problem: null }).some((l) => l.startsWith('problem') || l.startsWith('portal'))).toBe(false);
  });
});
