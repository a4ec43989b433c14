/** `jira`: status names and times, read alike by the HTTP half (ticketing.ts: polling, requests) and the inbound half (webhook.ts). */
import type { PartnerStatus } from '../../core/escalation';

/** Status names of the JSM templates (IT service management, general service), lower case. */
export const JIRA_DEFAULT_STATUS_MAP: Readonly<Record<string, PartnerStatus>> = {
  open: 'open', new: 'open', 'to do': 'open', reopened: 'open',
  'waiting for support': 'in_progress', 'in progress': 'in_progress', 'work in progress': 'in_progress', escalated: 'in_progress', 'under investigation': 'in_progress',
  'waiting for customer': 'awaiting_info', pending: 'awaiting_info',
  resolved: 'resolved', done: 'resolved', completed: 'resolved',
  closed: 'closed', canceled: 'closed', cancelled: 'closed', declined: 'closed',
};

export const jiraStatusMapper = (overrides: Record<string, PartnerStatus> = {}) => {
  const map = new Map<string, PartnerStatus>(Object.entries(JIRA_DEFAULT_STATUS_MAP));
  for (const [name, status] of Object.entries(overrides)) map.set(name.trim().toLowerCase(), status);
  return (name: string): PartnerStatus | null => map.get(name.trim().toLowerCase()) ?? null;
};

/** Jira writes offsets without a colon (`+0000`); ISO parsers want `+00:00`. */
export const jiraTime = (s: string): number => Date.parse(s.trim().replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
