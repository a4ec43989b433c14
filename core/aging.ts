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

/**
 * The next "partner has been silent too long" deadline, counted from `from` (the last time the partner
 * moved); or the partner's own promise to answer (`respondBy`, TSANet) where that comes first, so that an
 * unanswered request is aged as soon as the partner is late by its own rules.
 */
export function nextUpdateDeadline(config: HubConfig, e: Pick<Escalation, 'partnerId' | 'severity'>, from: Date, respondBy?: string): string | null {
  const threshold = agingDeadline(config, e.partnerId, e.severity, from, 'partnerUpdateWithinMinutes');
  if (respondBy === undefined) return threshold;
  return threshold === null || respondBy < threshold ? respondBy : threshold;
}
