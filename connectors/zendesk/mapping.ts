/** `zendesk`: statuses, read alike by the HTTP half (ticketing.ts) and the inbound half (webhook.ts). */
import type { PartnerStatus } from '../../core/escalation';

export const ZENDESK_STATUSES: Record<string, PartnerStatus> = {
  new: 'open', open: 'in_progress', pending: 'awaiting_info', hold: 'awaiting_info', solved: 'resolved', closed: 'closed',
};
const lookup = (s: string | undefined): PartnerStatus | null => {
  const k = (s ?? '').trim().toLowerCase();
  return Object.hasOwn(ZENDESK_STATUSES, k) ? ZENDESK_STATUSES[k]! : null;
};
/** A system status maps directly; an unknown (custom) status maps by its category when there is one. */
export const mapZendeskStatus = (status: string, category?: string | null): PartnerStatus | null =>
  lookup(status) ?? lookup(category ?? undefined);
