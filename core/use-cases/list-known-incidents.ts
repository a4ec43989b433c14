import { partnerById, type Needs } from '../deps';
import { NotFoundError } from '../errors';
import { activeIncidents } from '../known-incidents';
import type { KnownIncident, ServiceHealthStore } from '../ports';

/**
 * `GET /v1/partners/{partnerId}/known-incidents`: the partner's incidents active now, as the poller last
 * stored them (no call to the source: the answer is as fresh as `polledAt`). An unknown partner is a 404; a
 * partner whose profile names no source answers `source: null` and no items.
 */
export async function listKnownIncidents(deps: Needs<'config' | 'connectors' | 'clock', ServiceHealthStore>, partnerId: string)
  : Promise<{ items: KnownIncident[]; source: string | null; polledAt: string | null }> {
  if (!partnerById(deps.config, partnerId)) throw new NotFoundError(`No partner ${partnerId}.`);
  const source = deps.connectors.serviceHealth(partnerId)?.source ?? null;
  if (!source) return { items: [], source: null, polledAt: null };
  const known = await deps.store.getServiceHealth(partnerId, deps.clock.now());
  return { items: activeIncidents(known.incidents), source, polledAt: known.polledAt ?? null };
}
