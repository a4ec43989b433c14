/** `servicenow`: state codes and times, read alike by the HTTP half (ticketing.ts: polling, incidents) and the inbound half (webhook.ts). */
import * as z from 'zod';
import type { PartnerStatus } from '../../core/escalation';
import { ValidationError } from '../../core/errors';

export const SERVICENOW_STATES: Record<string, PartnerStatus> = {
  '1': 'open', '2': 'in_progress', '3': 'awaiting_info', '6': 'resolved', '7': 'closed', '8': 'closed',
};
/** `null` for a state code the hub has no mapping for (recorded, never applied). */
export const mapServiceNowState = (state: string): PartnerStatus | null =>
  Object.hasOwn(SERVICENOW_STATES, state.trim()) ? SERVICENOW_STATES[state.trim()]! : null;

/** ServiceNow's internal date-time format, always UTC: `YYYY-MM-DD HH:mm:ss`. */
export const SN_TIME = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})$/;
export function fromServiceNowTime(value: string): string {
  const m = SN_TIME.exec(value.trim());
  const iso = m ? `${m[1]}T${m[2]}Z` : value;
  const t = Date.parse(iso);
  if (Number.isNaN(t)) throw new ValidationError(`"${value}" is not a ServiceNow date-time`);
  return new Date(t).toISOString();
}
export const toServiceNowTime = (d: Date): string => d.toISOString().slice(0, 19).replace('T', ' ');

/** A `sys_updated_on` value: ServiceNow's own format, or any time `Date.parse` reads. */
export const snTime = z.string().refine((s) => SN_TIME.test(s.trim()) || !Number.isNaN(Date.parse(s)), 'is not a ServiceNow date-time');
