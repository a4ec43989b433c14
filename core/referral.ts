/**
 * Referrals: when no partner incident can be opened, the customer is referred to the partner with the
 * vendor's findings summary (the part marked for customer eyes). The text comes from a per-partner
 * template in the configuration. Pure.
 */
import type { PartnerProfile } from './config';
import type { Escalation, Referral } from './escalation';

export const DEFAULT_REFERRAL_TEMPLATE =
  'We could not open an incident with {{partnerName}} on your behalf. Please contact {{partnerName}} support' +
  '{{supportUrlSentence}} and quote your case {{caseId}}. Share this summary of our findings: {{customerSummary}}';

export interface ReferralSettings { supportUrl?: string | undefined; template?: string | undefined; quote?: string | undefined }

/** Renders `{{name}}` placeholders; unknown names render empty. No HTML: the status page escapes on output. */
export function renderTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, name: string) => values[name] ?? '');
}

export function buildReferral(
  profile: Pick<PartnerProfile, 'name'> & { referral?: ReferralSettings | undefined } | undefined,
  esc: Pick<Escalation, 'partnerName' | 'caseId' | 'summary'> & { customerSummary?: string | null | undefined },
  reason: string,
): Referral {
  const settings = profile?.referral ?? {};
  const values = {
    partnerName: profile?.name ?? esc.partnerName,
    caseId: esc.caseId,
    supportUrl: settings.supportUrl ?? '',
    supportUrlSentence: settings.supportUrl ? ` at ${settings.supportUrl}` : '',
    quote: settings.quote ?? `case ${esc.caseId}`,
    customerSummary: esc.customerSummary ?? esc.summary,
    reason,
  };
  return { reason, instructions: renderTemplate(settings.template ?? DEFAULT_REFERRAL_TEMPLATE, values).trim() };
}
