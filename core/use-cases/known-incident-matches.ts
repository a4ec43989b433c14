import type { Needs } from '../deps';
import { isTerminal, type AttachedKnownIncident, type Escalation, type KnownIncidentMatch } from '../escalation';
import { NotFoundError } from '../errors';
import { hubEvent } from '../events';
import { activeIncidents, mergeKnownIncidents, type KnownIncidentMerge } from '../known-incidents';
import type { EscalationRecords, KnownIncident, ServiceHealthStore, TimelineStore } from '../ports';
import { mutateEscalation } from './mutate-escalation';

/**
 * A partner's own incidents on its escalations (API.md "Known partner incidents"): suggested when an
 * escalation is flagged and while it is open, confirmed or dismissed by an engineer, and the confirmed
 * ones' resolution announced to subscribers.
 */

type AttachDeps = Needs<'clock' | 'bus', EscalationRecords & TimelineStore>;

/**
 * Attaches the partner's incidents to one escalation, while it is open (mergeKnownIncidents says which and
 * how). Steps: read-modify-write the escalation (an ended or unknown one: `ended`, nothing written);
 * before the write, announce `ConfirmedIncidentResolved` for each confirmed incident the partner has
 * resolved (a lost race or a crash announces it again: at least once, never lost); after it, record each
 * such resolution in the timeline once. A suggestion needs no write of its own: its timeline entry is
 * derived from the item.
 */
export async function attachKnownIncidents(deps: AttachDeps, escalationId: string, incidents: readonly KnownIncident[], known?: Escalation)
  : Promise<{ ended: true } | { ended: false; escalation: Escalation }> {
  const now = deps.clock.now();
  let ended = false;
  // the merge of the escalation as last read: the one `beforeSave` announces and, once written, the timeline records
  let merged: KnownIncidentMerge | undefined;
  const r = await mutateEscalation(deps.store, escalationId, (e) => {
    ended = isTerminal(e.status);
    if (ended) return undefined;
    merged = mergeKnownIncidents(e.knownIncidents ?? [], incidents, now);
    return merged.changed ? { ...e, knownIncidents: merged.next } : undefined;
  }, now, {
    ...(known ? { known } : {}),
    // the due time depends on nothing attached here
    keepDue: true,
    beforeSave: async (_before, next) => {
      if (!merged?.resolvedConfirmed.length) return;
      await deps.bus.publish(merged.resolvedConfirmed.map((i) => hubEvent('ConfirmedIncidentResolved', {
        version: 1, escalationId, partnerId: next.partnerId, caseId: next.caseId,
        source: i.source, incidentId: i.id, title: i.title, status: i.status, ...(i.url ? { url: i.url } : {}), startedAt: i.startedAt, resolvedAt: i.resolvedAt!,
      })));
    },
  });
  if (!r || ended) return { ended: true };
  for (const i of r.changed ? merged!.resolvedConfirmed : []) {
    await deps.store.appendTimeline(escalationId, {
      at: now.toISOString(), type: 'known_incident_resolved', actor: `partner:${r.after.partnerId}`,
      detail: { source: i.source, incidentId: i.id, title: i.title, status: i.status, resolvedAt: i.resolvedAt },
    }, `known-incident-resolved#${i.id}#${i.resolvedAt}`);
  }
  return { ended: false, escalation: r.after };
}

/**
 * When an escalation is flagged (and when the same flag comes again): a partner with a service-health
 * source gets the escalation as a watcher of its incidents, then the incidents active now are attached.
 * The watcher is written before the incidents are read, as the poller writes an incident before it reads
 * the watchers: whichever comes second sees the other, so no incident started meanwhile is missed.
 */
export async function suggestKnownIncidents(deps: AttachDeps & Needs<'connectors', ServiceHealthStore>, e: Escalation): Promise<Escalation> {
  if (!deps.connectors.serviceHealth(e.partnerId) || isTerminal(e.status)) return e;
  await deps.store.watchKnownIncidents(e.partnerId, e.escalationId);
  const active = activeIncidents((await deps.store.getServiceHealth(e.partnerId, deps.clock.now())).incidents);
  if (active.length === 0) return e;
  const r = await attachKnownIncidents(deps, e.escalationId, active, e);
  return r.ended ? e : r.escalation;
}

/**
 * The poller's half: a partner's incidents that started, changed or were resolved reach each of its open
 * escalations (one Query of the partner's watchers); an escalation found ended stops watching.
 */
export async function correlateKnownIncidents(deps: AttachDeps & Needs<'clock', ServiceHealthStore>, partnerId: string, incidents: readonly KnownIncident[]): Promise<number> {
  let reached = 0;
  for (const escalationId of await deps.store.listKnownIncidentWatchers(partnerId)) {
    const r = await attachKnownIncidents(deps, escalationId, incidents);
    if (r.ended) await deps.store.unwatchKnownIncidents(partnerId, escalationId);
    else reached++;
  }
  return reached;
}

/**
 * An engineer confirms or dismisses a partner incident attached to the escalation (`POST …/known-incidents/
 * {incidentId}/confirm` or `/dismiss`). Steps: 404 for an incident not attached to it; set its match
 * (the same again changes nothing); before the write, a confirmation announces `KnownIncidentConfirmed`
 * (at least once, as attachKnownIncidents announces); record the change in the timeline, with the
 * engineer as actor. Only confirmed incidents reach the customer; confirming again after a dismissal (or
 * the reverse) is allowed.
 */
export async function decideKnownIncident(
  deps: Needs<'clock' | 'bus', EscalationRecords & TimelineStore>, escalationId: string, incidentId: string, match: Exclude<KnownIncidentMatch, 'suggested'>, actor: string,
): Promise<Escalation> {
  const now = deps.clock.now();
  let attached: AttachedKnownIncident | undefined;
  const r = await mutateEscalation(deps.store, escalationId, (e) => {
    attached = e.knownIncidents?.find((i) => i.id === incidentId);
    if (!attached || attached.match === match) return undefined;
    return { ...e, knownIncidents: e.knownIncidents!.map((i) => (i.id === incidentId ? { ...i, match } : i)) };
  }, now, {
    keepDue: true,
    beforeSave: async (_before, next) => {
      if (match !== 'confirmed' || !attached) return;
      await deps.bus.publish([hubEvent('KnownIncidentConfirmed', {
        version: 1, escalationId, partnerId: next.partnerId, caseId: next.caseId, source: attached.source, incidentId,
        title: attached.title, status: attached.status, ...(attached.url ? { url: attached.url } : {}), startedAt: attached.startedAt,
      })]);
    },
  });
  if (!r) throw new NotFoundError(`No escalation ${escalationId}.`);
  if (!attached) throw new NotFoundError(`No known incident ${incidentId} on escalation ${escalationId}.`);
  if (r.changed) {
    await deps.store.appendTimeline(escalationId, {
      at: now.toISOString(), type: `known_incident_${match}`, actor,
      detail: { source: attached.source, incidentId, title: attached.title, status: attached.status },
    });
  }
  return r.after;
}
