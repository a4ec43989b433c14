/** `generic-rest`: the protocol's statuses in the hub's, read alike by the HTTP half (ticketing.ts) and the inbound half (webhook.ts). */
import type { PartnerStatus } from '../../core/escalation';

const STATUS_MAP: Record<string, PartnerStatus> = {
  new: 'open', open: 'open', in_progress: 'in_progress', awaiting_info: 'awaiting_info', resolved: 'resolved', closed: 'closed',
};
export const mapGenericStatus = (s: string): PartnerStatus | null => STATUS_MAP[s] ?? null;
