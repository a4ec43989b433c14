import type { Needs } from '../deps';
import { PartnerCallError } from '../errors';
import { PROBLEM_PARTNER_CREDENTIALS } from '../escalation';
import { hubEvent } from '../events';
import { KNOWN_INCIDENT_KEEP_DAYS, knownIncidentChanges } from '../known-incidents';
import type { EscalationRecords, KnownIncident, ServiceHealthStore, TimelineStore } from '../ports';
import { correlateKnownIncidents } from './known-incident-matches';
import { credentialsRefused } from './hub-problems';

const DAY_MS = 24 * 3600_000;
/** A resolved incident is kept a while (KNOWN_INCIDENT_KEEP_DAYS), then DynamoDB's TTL removes it. */
const keepUntil = (i: KnownIncident) => (i.resolvedAt ? new Date(Date.parse(i.resolvedAt) + KNOWN_INCIDENT_KEEP_DAYS * DAY_MS) : undefined);

/**
 * Polls each partner's service-health source (its profile's `serviceHealth`), at most once per its
 * `pollIntervalSeconds`, and never before a `Retry-After` it answered has passed (the scheduled poller).
 * Steps, per partner: read what the hub knows (active and lately resolved incidents, when last polled);
 * ask the source for the incidents active now; publish `KnownIncidentStarted` for each new one and
 * `KnownIncidentResolved` for each no longer listed; write only the incidents that changed (a resolved one
 * kept `KNOWN_INCIDENT_KEEP_DAYS`); bring those changes to the partner's open escalations (new incidents
 * suggested, attached ones brought up to date: known-incident-matches.ts) and write them again as correlated; record
 * the poll. Events go out before the writes: a crash between the
 * two publishes them again on the next poll (at least once), never loses one. A failure is logged and the
 * next interval tries again; a 401/403 raises the alarm metric, as partner polling does.
 */
export async function pollServiceHealth(deps: Needs<'config' | 'connectors' | 'clock' | 'bus' | 'log' | 'metrics', ServiceHealthStore & EscalationRecords & TimelineStore>): Promise<Record<string, number | string>> {
  const now = deps.clock.now();
  const result: Record<string, number | string> = {};
  for (const partner of deps.config.partners) {
    const source = deps.connectors.serviceHealth(partner.id);
    if (!source) continue;
    const known = await deps.store.getServiceHealth(partner.id, now);
    if (known.retryAt && now.getTime() < Date.parse(known.retryAt)) continue;
    if (known.polledAt && now.getTime() - Date.parse(known.polledAt) < source.pollIntervalSeconds * 1000) continue;
    let active: KnownIncident[];
    try {
      active = await source.listActive();
    } catch (err) {
      if (!(err instanceof PartnerCallError)) throw err;
      const retryAt = err.retryAfterMs === undefined ? undefined : new Date(now.getTime() + err.retryAfterMs).toISOString();
      await deps.store.markServiceHealthPolled(partner.id, now.toISOString(), retryAt);
      if (credentialsRefused(err)) deps.metrics?.count('HubProblems', partner.id);
      const fields = { partnerId: partner.id, operation: 'service health', httpStatus: err.httpStatus, error: err.message, ...(retryAt ? { retryAt } : {}) };
      if (credentialsRefused(err)) deps.log.error('the service-health source refused the hub\'s credentials', { ...fields, code: PROBLEM_PARTNER_CREDENTIALS });
      else deps.log.warn('service-health poll failed', fields);
      result[partner.id] = `failed: ${err.message}`;
      continue;
    }
    const changes = knownIncidentChanges(known.incidents, active, now);
    const event = (i: KnownIncident) => ({
      version: 1 as const, partnerId: partner.id, source: i.source, incidentId: i.id, title: i.title, status: i.status,
      startedAt: i.startedAt, services: i.services, ...(i.url ? { url: i.url } : {}),
    });
    const events = [
      ...changes.started.map((i) => hubEvent('KnownIncidentStarted', event(i))),
      ...changes.resolved.map((i) => hubEvent('KnownIncidentResolved', { ...event(i), resolvedAt: i.resolvedAt! })),
    ];
    if (events.length) await deps.bus.publish(events);
    for (const i of changes.changed) await deps.store.saveKnownIncident(partner.id, i, keepUntil(i));
    // this poll's changes, and any an earlier poll stopped before bringing to the escalations
    const uncorrelated = new Map(known.incidents.filter((i) => known.uncorrelated.includes(i.id)).map((i) => [i.id, i]));
    for (const i of changes.changed) uncorrelated.set(i.id, i);
    if (uncorrelated.size) await correlate(deps, partner.id, [...uncorrelated.values()]);
    await deps.store.markServiceHealthPolled(partner.id, now.toISOString());
    result[partner.id] = active.length;
  }
  return result;
}

/**
 * Brings the incidents to the partner's open escalations, then marks them done. A failure is logged and
 * leaves them uncorrelated: the next poll tries again (the poll itself is recorded all the same).
 */
async function correlate(deps: Parameters<typeof pollServiceHealth>[0], partnerId: string, incidents: KnownIncident[]) {
  try {
    const reached = await correlateKnownIncidents(deps, partnerId, incidents);
    for (const i of incidents) await deps.store.saveKnownIncident(partnerId, i, keepUntil(i), { correlated: true });
    if (reached) deps.log.info('known incidents brought to open escalations', { partnerId, incidents: incidents.length, escalations: reached });
  } catch (err) {
    deps.log.warn('could not bring known incidents to open escalations; the next poll tries again', { partnerId, error: String(err) });
  }
}
