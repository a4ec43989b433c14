import { buildReferral, DEFAULT_REFERRAL_TEMPLATE, renderTemplate } from '../../core/referral';

const esc = { partnerName: 'Microsoft', caseId: 'CASE-1001', summary: 'Audio drops (internal wording)', customerSummary: 'Audio stops after the tenant policy change.' };

describe('referrals', () => {
  it('renders the default text with the customer summary, not the internal one', () => {
    const r = buildReferral({ name: 'Microsoft', referral: { supportUrl: 'https://support.microsoft.com' } }, esc, 'Microsoft refused the incident (HTTP 400).');
    expect(r.reason).toBe('Microsoft refused the incident (HTTP 400).');
    expect(r.instructions).toBe(
      'We could not open an incident with Microsoft on your behalf. Please contact Microsoft support at https://support.microsoft.com ' +
      'and quote your case CASE-1001. Share this summary of our findings: Audio stops after the tenant policy change.',
    );
    expect(r.instructions).not.toContain('internal wording');
  });

  it('uses the partner template and falls back to the summary', () => {
    const r = buildReferral(
      { name: 'Zoom', referral: { template: 'Open a ticket at {{supportUrl}} quoting {{quote}}. {{customerSummary}} ({{reason}}) {{unknown}}', supportUrl: 'https://support.zoom.com', quote: 'vendor case CASE-1001' } },
      { ...esc, customerSummary: null }, 'no answer',
    );
    expect(r.instructions).toBe('Open a ticket at https://support.zoom.com quoting vendor case CASE-1001. Audio drops (internal wording) (no answer)');
  });

  it('works without a profile or settings', () => {
    expect(buildReferral(undefined, esc, 'gone').instructions).toContain('Please contact Microsoft support and quote your case CASE-1001.');
    expect(renderTemplate(DEFAULT_REFERRAL_TEMPLATE, {})).not.toMatch(/\{\{/);
  });
});
