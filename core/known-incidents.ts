/**
 * Known partner incidents (a partner's service-health source): what changed between what the hub knew and
 * what the source lists as active now. Pure; the poller (use-cases/poll-service-health.ts) stores and
 * publishes the result.
 */
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
