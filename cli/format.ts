/** Human-readable output: escalation summaries and plain-text tables (no colours, no dependencies). */
import type { Escalation, EscalationDetail, TimelineEntry, TimelinePage } from './api-types';

/** `2026-11-25T10:00:00.000Z` → `2026-11-25 10:00:00Z`; anything else as it is. */
export function time(iso: string | null | undefined): string {
  if (!iso) return '—';
  return /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(iso) ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : iso;
}

export function ticket(e: Pick<Escalation, 'partnerTicket'>): string {
  const t = e.partnerTicket;
  if (!t) return '—';
  return t.url ? `${t.number}  ${t.url}` : t.number;
}

/**
 * Columns padded to their widest cell; the last column is cut to `width` (a terminal's) when given.
 */
export function table(header: string[], rows: string[][], width?: number): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => {
    const text = cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
    return width && text.length > width ? `${text.slice(0, Math.max(width - 1, 0))}…` : text;
  };
  return [line(header), ...rows.map(line)];
}

/** `key=value` pairs of a timeline entry's detail, on one line. */
export function detailText(detail: unknown): string {
  if (detail === null || detail === undefined) return '';
  if (typeof detail !== 'object') return String(detail);
  return Object.entries(detail as Record<string, unknown>)
    .filter(([, v]) => v !== null && v !== undefined && v !== '')
    .map(([k, v]) => `${k}=${typeof v === 'string' ? oneLine(v) : JSON.stringify(v)}`)
    .join(' ');
}

const oneLine = (s: string) => (/\s/.test(s) ? JSON.stringify(s.replace(/\s+/g, ' ')) : s);

/** The head of `show` and of the single-escalation commands: status, parties, ticket, referral. */
export function escalationLines(e: Escalation): string[] {
  const rows: [string, string][] = [
    ['escalation', `${e.escalationId}  ${e.status}`],
    ['case', `${e.caseId} (customer ${e.customerId})`],
    ['partner', `${e.partnerName} (${e.partnerId})${e.platform ? `, platform ${e.platform}` : ''}`],
    ['severity', e.severity],
    ['summary', e.summary],
    ['ticket', ticket(e)],
  ];
  if (e.referral) rows.push(['referral', e.referral.reason], ['instructions', e.referral.instructions]);
  if (e.problem) rows.push(['problem', `${e.problem.code} since ${time(e.problem.since)}: ${e.problem.message}`]);
  if (!e.partnerTicket && e.attempts) rows.push(['attempts', `${e.attempts}${e.lastError ? ` (last error: ${e.lastError})` : ''}`]);
  const manual = (e as Partial<EscalationDetail>).manual;
  if (manual) rows.push(['portal', manual.portalUrl], ['manual', manual.instructions]);
  for (const i of e.knownIncidents ?? []) {
    const state = i.resolvedAt ? `resolved ${time(i.resolvedAt)}` : `${i.status} since ${time(i.startedAt)}`;
    rows.push([`known ${i.match}`, `${i.id}  ${i.title} (${state})${i.url ? ` ${i.url}` : ''}`]);
  }
  rows.push(['created', time(e.createdAt)], ['updated', time(e.updatedAt)]);
  const w = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`);
}

export function timelineLines(entries: TimelineEntry[], width?: number): string[] {
  if (entries.length === 0) return ['(no timeline entries)'];
  return table(['TIME', 'EVENT', 'ACTOR', 'DETAIL'], entries.map((t) => [time(t.at), t.type, t.actor ?? '', detailText(t.detail)]), width);
}

/** How to read the entries older than a page. */
export const olderHint = (id: string, before: string) => `older entries: hub timeline ${id} --before ${before}`;

export function showLines(e: EscalationDetail, width?: number): string[] {
  const findings = e.findings ? ['', 'findings', ...e.findings.trimEnd().split('\n').map((l) => `  ${l}`)] : [];
  // the hub answers the newest entries; it says so when there are older ones
  const heading = e.timelineBefore ? `timeline (the ${e.timeline.length} most recent entries)` : 'timeline';
  const older = e.timelineBefore ? ['', olderHint(e.escalationId, e.timelineBefore)] : [];
  return [...escalationLines(e), ...findings, '', heading, ...timelineLines(e.timeline, width), ...older];
}

export function timelinePageLines(id: string, page: TimelinePage, width?: number): string[] {
  return [...timelineLines(page.items, width), ...(page.before ? ['', olderHint(id, page.before)] : [])];
}

export function listLines(items: Escalation[], width?: number): string[] {
  if (items.length === 0) return [];
  return table(
    ['ESCALATION', 'PARTNER', 'STATUS', 'SEVERITY', 'TICKET', 'UPDATED', 'SUMMARY'],
    items.map((e) => [e.escalationId, e.partnerId, e.status, e.severity, e.partnerTicket?.number ?? '—', time(e.updatedAt), e.summary]),
    width,
  );
}
