/** Aging deadlines from a partner profile's thresholds, scaled by severity. Pure. */
import type { HubConfig } from './config';
import { partnerById } from './deps';
import type { Escalation, Severity } from './escalation';

export function agingDeadline(
  config: HubConfig, partnerId: string, severity: Severity, from: Date, threshold: 'ticketWithinMinutes' | 'partnerUpdateWithinMinutes',
): string | null {
  const t = partnerById(config, partnerId)?.thresholds;
  if (!t) return null;
  return new Date(from.getTime() + t[threshold] * t.severityMultipliers[severity] * 60_000).toISOString();
}

/** The next "partner has been silent too long" deadline, counted from `from` (the last time the partner moved). */
export const nextUpdateDeadline = (config: HubConfig, e: Pick<Escalation, 'partnerId' | 'severity'>, from: Date) =>
  agingDeadline(config, e.partnerId, e.severity, from, 'partnerUpdateWithinMinutes');
