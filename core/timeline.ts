import type { Escalation } from './escalation';
import type { CommentRef, TimelineEntry } from './ports';

/**
 * Timeline entries that are facts of the escalation item itself, so they cost no write of their own:
 * the request (who flagged it, when, and the customer's request and entitlement when given) and the hub
 * opening the partner incident (ticket, attempts, the partner's status then), and each partner incident the
 * hub suggested (core/known-incidents.ts). Each has the dedupe key under
 * which older versions stored it as an entry, so that a store reading such an older item shows it once.
 */
export function derivedTimeline(e: Escalation): { dedupeKey: string; entry: TimelineEntry }[] {
  const out: { dedupeKey: string; entry: TimelineEntry }[] = [{
    dedupeKey: 'requested',
    entry: { at: e.createdAt, type: 'escalation_requested', actor: e.createdBy, detail: { partnerId: e.partnerId, severity: e.severity, ...e.mandate } },
  }];
  if (e.opening && e.partnerTicket && e.openedAt) {
    out.push({
      dedupeKey: `opened#${e.partnerTicket.id}`,
      entry: {
        at: e.openedAt, type: 'partner_incident_opened', actor: `partner:${e.partnerId}`,
        detail: { ticketId: e.partnerTicket.id, ticketNumber: e.partnerTicket.number, partnerStatus: e.opening.partnerStatus, attempts: e.opening.attempts },
      },
    });
  }
  // each suggestion once, at the time the hub attached it (what the engineer made of it has entries of its own)
  for (const i of e.knownIncidents ?? []) {
    out.push({
      dedupeKey: `known-incident#${i.id}`,
      entry: { at: i.suggestedAt, type: 'known_incident_suggested', actor: `partner:${e.partnerId}`, detail: { source: i.source, incidentId: i.id, title: i.title } },
    });
  }
  return out;
}

/** Entries `GET /v1/escalations/{id}` shows, the newest ones; older ones are paged. */
export const RECENT_TIMELINE_ENTRIES = 200;
export const TIMELINE_PAGE_MAX = 200;
export const TIMELINE_PAGE_DEFAULT = 100;

/** A page of the timeline: `items` oldest first; `before` pages on to older entries (`null`: none left). */
export interface TimelinePage { items: TimelineEntry[]; before: string | null }

/**
 * An entry's place in time order: `T#<at>#<tie-breaker>`, the sort key it is stored under (DESIGN.md), so
 * that the store reads a page with one Query in key order. Entries kept under an older layout get the
 * same shape from their time and old key.
 */
export type TimelinePosition = string;
const POSITION = /^T#\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z#[\s\S]{1,600}$/;
export const isTimelinePosition = (s: string): boolean => POSITION.test(s);

/** Opaque to clients: a position, base64url. */
export const encodeTimelineCursor = (p: TimelinePosition): string => Buffer.from(p, 'utf8').toString('base64url');
/** The position a cursor names, or `undefined` when it is not one this hub made. */
export function decodeTimelineCursor(cursor: string): TimelinePosition | undefined {
  if (cursor.length > 1000 || !/^[A-Za-z0-9_-]+$/.test(cursor)) return undefined;
  const p = Buffer.from(cursor, 'base64url').toString('utf8');
  return isTimelinePosition(p) && encodeTimelineCursor(p) === cursor ? p : undefined;
}

/**
 * The `limit` newest entries older than `before` (all, without it), oldest first, from candidates that
 * must include the `limit + 1` newest such stored entries and every derived one. A position seen twice is
 * one entry (the first candidate wins).
 */
export function pageOf(candidates: { position: TimelinePosition; entry: TimelineEntry }[], before: TimelinePosition | undefined, limit: number): TimelinePage {
  const seen = new Set<string>();
  const older = candidates
    .filter((c) => (before === undefined || c.position < before) && !seen.has(c.position) && seen.add(c.position))
    .sort((a, b) => (a.position < b.position ? 1 : a.position > b.position ? -1 : 0));
  const page = older.slice(0, limit);
  const last = page[page.length - 1];
  return { items: page.reverse().map((c) => c.entry), before: older.length > limit && last ? encodeTimelineCursor(last.position) : null };
}

/**
 * A comment's item: its sort key is its place in time order, `T#<at>#comment#<commentId>` (the key a
 * deduplicated `comment#<commentId>` entry gets), so timeline pages read comments in order with the rest.
 * Messages that name a comment carry its id and its time, from which this is derived.
 */
export const commentRef = (commentId: string, at: string): CommentRef => ({ commentId, key: `T#${at}#comment#${commentId}` });
