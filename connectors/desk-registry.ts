/**
 * The desks' HTTP halves (write-back to the vendor's own desk), for the registries that write to desks.
 * A desk is the vendor's own system, not a partner: no circuit breaker per partner, its failures go back
 * to the write-back queue, which retries with backoff (and a DLQ).
 */
import type { HubConfig } from '../core/config';
import type { ConnectorRegistry } from '../core/ports';
import { assembleRegistry, refusedWebhooks, settingsOnly, type KindBuilders } from './assemble-registry';
import { DESK_HALVES } from './generated/desk';

export const deskCalls: KindBuilders<'desk'>['calls'] = (d, desk) => DESK_HALVES[d.id]!(desk);

/** The desk-writeback function's registry: the desks' write-back; partners' settings are only checked. */
export function buildDeskRegistry(config: HubConfig): ConnectorRegistry {
  return assembleRegistry(config, {
    ticketing: settingsOnly('ticketing'),
    collaboration: settingsOnly('collaboration'),
    serviceHealth: settingsOnly('serviceHealth'),
    desk: { calls: deskCalls, webhooks: refusedWebhooks('the desk-writeback function only writes to desks') },
  });
}
buildDeskRegistry.connectorSet = 'desks' as const;
