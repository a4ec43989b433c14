/** Which connector speaks for which partner, built once from the configuration (fails loudly at start). */
import type { HubConfig, PartnerProfile } from '../core/config';
import { ConfigError } from '../core/errors';
import type { ConnectorRegistry, TicketingConnector } from '../core/ports';
import { genericRestConnector } from './generic-rest/connector';

export type TicketingFactory = (profile: PartnerProfile) => TicketingConnector;

export const TICKETING_CONNECTORS: Record<string, TicketingFactory> = {
  'generic-rest': genericRestConnector,
};

export function buildRegistry(config: HubConfig, factories: Record<string, TicketingFactory> = TICKETING_CONNECTORS): ConnectorRegistry {
  const byPartner = new Map<string, TicketingConnector>();
  config.partners.forEach((p, i) => {
    const factory = factories[p.connector];
    if (!factory) {
      throw new ConfigError(`partners[${i}].connector: unknown connector "${p.connector}" (known: ${Object.keys(factories).join(', ')})`);
    }
    byPartner.set(p.id, factory(p));
  });
  return { ticketing: (id) => byPartner.get(id) };
}
