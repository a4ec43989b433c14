/** `tsanet`: what the HTTP half (ticketing.ts) and the inbound half (webhook.ts) read alike. */
import type { PartnerStatus } from '../../core/escalation';

/**
 * The five request statuses (PARTNERS.md 1.5). `REJECTED` ends the request: it ranks as `closed`, and the
 * connector marks it a refusal (`PartnerIncident.refusal`, with the receiver's reason), which the core
 * turns into `referred` (API.md).
 */
const STATUS_MAP: Record<string, PartnerStatus> = {
  OPEN: 'open', INFORMATION: 'awaiting_info', ACCEPTED: 'in_progress', REJECTED: 'closed', CLOSED: 'closed',
};
export const isTsanetRejection = (s: string): boolean => s.toUpperCase() === 'REJECTED';
export const mapTsanetStatus = (s: string): PartnerStatus | null => STATUS_MAP[s.toUpperCase()] ?? null;

/**
 * A TSANet time as an ISO instant. The API writes `YYYY-MM-DDTHH:MM:SSZ` [S4]; a time without a zone is
 * read as UTC (the server's zone; a local-time reading would move it by the hub's offset).
 */
export function tsanetTime(s: string): string | undefined {
  const zoned = /(Z|[+-]\d\d:?\d\d)$/.test(s) ? s : `${s}Z`;
  const ms = Date.parse(zoned);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}
