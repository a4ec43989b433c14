/**
 * The registry of the poller: the ticketing connectors' partner calls (status by polling, as
 * ticketing-registry.ts builds them) and the service-health sources' (`<id>/service-health.ts`,
 * generated/service-health.ts: the partners' own incidents), with webhooks refused and the collaboration
 * connectors' settings only. Only the poller asks service-health sources, so only its bundle carries them.
 */
import type { HubConfig } from '../core/config';
import type { ConnectorRegistry } from '../core/ports';
import { assembleRegistry, refusedWebhooks, settingsOnly, type KindBuilders } from './assemble-registry';
import { SERVICE_HEALTH_HALVES } from './generated/service-health';
import type { TicketingHalfOptions } from './halves';
import { ticketingCalls } from './ticketing-registry';

/** A service-health source's calls: listing the partner's active incidents. */
export const serviceHealthCalls: KindBuilders<'serviceHealth'>['calls'] = (d, p) => SERVICE_HEALTH_HALVES[d.id]!(p);

export function buildPollerRegistry(config: HubConfig, options: TicketingHalfOptions = {}): ConnectorRegistry {
  const refused = refusedWebhooks('the poller only calls partners');
  return assembleRegistry(config, {
    ticketing: { calls: ticketingCalls(options), webhooks: refused },
    collaboration: settingsOnly('collaboration'),
    serviceHealth: { calls: serviceHealthCalls, webhooks: refused },
    desk: settingsOnly('desk'),
  });
}
/** The set of connectors it builds (topology/access.ts `connectors`): checked against the function's grant. */
buildPollerRegistry.connectorSet = 'polling' as const;
