/**
 * Known partner incidents (a partner's service-health source): what changed between what the hub knew and
 * what the source lists as active now. Pure; the poller (use-cases/poll-service-health.ts) stores and
 * publishes the result.
 */
import type { AttachedKnownIncident } from './escalation';
import type { KnownIncident } from './ports';

/**
 * A resolved incident is kept this long after `resolvedAt` (DynamoDB TTL), so that what follows a
 * resolution (an escalation's confirmed incident resolved: notify) can still read it, then it goes.
 */
export const KNOWN_INCIDENT_KEEP_DAYS = 7;

export interface KnownIncidentChanges {
  /** Every incident to write: new, changed, reopened or just resolved. */
  changed: KnownIncident[];
  /** New, or listed again after being resolved. */
  started: KnownIncident[];
  /** Active before and no longer listed (or listed as resolved): `resolvedAt` set. */
  resolved: KnownIncident[];
}

const same = (a: KnownIncident, b: KnownIncident) =>
  a.title === b.title && a.status === b.status && a.url === b.url && a.startedAt === b.startedAt && a.resolvedAt === b.resolvedAt
  && a.services.length === b.services.length && a.services.every((s, i) => s === b.services[i]);

/**
 * `known`: what the store holds (active and lately resolved); `active`: what the source lists now. An
 * incident the source stops listing is resolved at `now` (the source's own time is not known then:
 * `resolvedAt` is within one poll interval of it).
 */
export function knownIncidentChanges(known: readonly KnownIncident[], active: readonly KnownIncident[], now: Date): KnownIncidentChanges {
  const before = new Map(known.map((i) => [i.id, i]));
  const listed = new Set(active.map((i) => i.id));
  const out: KnownIncidentChanges = { changed: [], started: [], resolved: [] };
  for (const incident of active) {
    const prev = before.get(incident.id);
    const current = { ...incident, resolvedAt: undefined };
    if (!prev || prev.resolvedAt !== undefined) out.started.push(current);
    if (!prev || !same(prev, current)) out.changed.push(current);
  }
  for (const prev of known) {
    if (prev.resolvedAt !== undefined || listed.has(prev.id)) continue;
    const resolved = { ...prev, resolvedAt: now.toISOString() };
    out.resolved.push(resolved);
    out.changed.push(resolved);
  }
  return out;
}

/** The partner's incidents active now (what `GET /v1/partners/{partnerId}/known-incidents` lists), latest first. */
export const activeIncidents = (known: readonly KnownIncident[]): KnownIncident[] =>
  known.filter((i) => i.resolvedAt === undefined).sort((a, b) => b.startedAt.localeCompare(a.startedAt));

/** What attaching the partner's incidents to one escalation changes (mergeKnownIncidents). */
export interface KnownIncidentMerge {
  /** The escalation's list after the merge. */
  next: AttachedKnownIncident[];
  /** Whether anything changed (nothing to write otherwise). */
  changed: boolean;
  /** Newly attached, as `suggested`. */
  suggested: AttachedKnownIncident[];
  /** Confirmed by an engineer, and now resolved by the partner: what subscribers hear of (ConfirmedIncidentResolved). */
  resolvedConfirmed: AttachedKnownIncident[];
}

const partnerFields = (i: KnownIncident) => ({
  source: i.source, id: i.id, title: i.title, status: i.status, url: i.url, startedAt: i.startedAt, resolvedAt: i.resolvedAt,
});
const samePartnerFields = (a: AttachedKnownIncident, b: ReturnType<typeof partnerFields>) =>
  a.title === b.title && a.status === b.status && a.url === b.url && a.startedAt === b.startedAt && a.resolvedAt === b.resolvedAt;

/**
 * Attaches a partner's incidents (as its source lists them now, or as just changed) to an escalation's
 * list. The rule for which incidents concern an escalation: every incident of its partner's source does.
 * The source is already narrowed to the services or components the partner's profile names, and the
 * escalation's platform is routed to exactly that partner, so an escalation carries no finer service to
 * match on. Time: only an incident active while the escalation is open is attached (a resolved one that
 * was never attached stays out). One attached before has its partner fields brought up to date (status,
 * title, link, resolution), keeping what the engineer made of it.
 */
export function mergeKnownIncidents(attached: readonly AttachedKnownIncident[], incidents: readonly KnownIncident[], now: Date): KnownIncidentMerge {
  const byId = new Map(attached.map((a) => [a.id, a]));
  const out: KnownIncidentMerge = { next: [], changed: false, suggested: [], resolvedConfirmed: [] };
  const updated = new Map<string, AttachedKnownIncident>();
  for (const incident of incidents) {
    const fields = partnerFields(incident);
    const prev = byId.get(incident.id);
    if (prev) {
      if (samePartnerFields(prev, fields)) continue;
      const next = { ...prev, ...fields };
      updated.set(incident.id, next);
      if (prev.match === 'confirmed' && !prev.resolvedAt && next.resolvedAt) out.resolvedConfirmed.push(next);
    } else if (!incident.resolvedAt && !updated.has(incident.id)) {
      const next: AttachedKnownIncident = { ...fields, match: 'suggested', suggestedAt: now.toISOString() };
      updated.set(incident.id, next);
      out.suggested.push(next);
    }
  }
  out.changed = updated.size > 0;
  out.next = [...attached.map((a) => updated.get(a.id) ?? a), ...out.suggested];
  return out;
}
