/** `{{placeholders}}` in a profile's templates (a TSANet form field, an e-mail subject), filled from the incident being opened. */
import type { OpenIncidentInput } from '../core/ports';

/** `{{name}}` replaced by the escalation's value; an unknown name by nothing (a TSANet field then counts as unfilled). */
export function fillPlaceholders(template: string, input: OpenIncidentInput): string {
  const request = input.customerRequest;
  const values: Record<string, string | undefined> = {
    externalRef: input.externalRef, caseId: input.caseId, customerId: input.customerId,
    summary: input.title, title: input.title, description: input.description, severity: input.severity,
    // the customer's support agreement with the partner and who asked (API.md: passed to the form this way)
    partnerEntitlement: input.partnerEntitlement, requestedBy: request?.by, requestedVia: request?.channel, requestedAt: request?.at,
  };
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (_m, name: string) => values[name] ?? '').trim();
}
