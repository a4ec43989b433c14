/**
 * Which connector speaks for which partner, built once from the configuration (fails loudly at start), from
 * a table of connector factories: the full connectors (registry.ts) or their inbound halves (webhook-registry.ts).
 */
import type { HubConfig, PartnerProfile } from '../core/config';
import { ConfigError } from '../core/errors';
import type { CollaborationConnector, ConnectorRegistry, TicketingConnector } from '../core/ports';
import { guardCollaboration, guardTicketing } from './partner-input-guard';

export type TicketingFactory = (profile: PartnerProfile) => TicketingConnector;
/** Builds a collaboration connector from the profile's `collaboration` settings (validated by the factory). */
export type CollaborationFactory = (settings: Record<string, unknown>, profile: PartnerProfile) => CollaborationConnector;

/**
 * Every connector is wrapped by the partner-input guard (partner-input-guard.ts): whatever a partner says
 * reaches the core checked, whichever connector spoke.
 * @param guard wraps each ticketing connector once built (registry.ts: the partner's circuit breaker)
 */
export function assembleRegistry(
  config: HubConfig,
  ticketing: Record<string, TicketingFactory>,
  collaboration: Record<string, CollaborationFactory>,
  guard: (connector: TicketingConnector, profile: PartnerProfile) => TicketingConnector = (c) => c,
): ConnectorRegistry {
  const tickets = new Map<string, TicketingConnector>();
  const calls = new Map<string, CollaborationConnector>();
  config.partners.forEach((p, i) => {
    const factory = ticketing[p.connector];
    if (!factory) {
      throw new ConfigError(`partners[${i}].connector: unknown connector "${p.connector}" (known: ${Object.keys(ticketing).join(', ')})`);
    }
    tickets.set(p.id, guardTicketing(guard(factory(p), p)));
    const collab = (p as { collaboration?: unknown }).collaboration;
    if (collab === undefined) return;
    const settings = collab as { connector?: unknown };
    const make = typeof settings.connector === 'string' ? collaboration[settings.connector] : undefined;
    if (!make) {
      throw new ConfigError(`partners[${i}].collaboration.connector: unknown collaboration connector "${String(settings.connector)}" (known: ${Object.keys(collaboration).join(', ') || 'none'})`);
    }
    calls.set(p.id, guardCollaboration(make(collab as Record<string, unknown>, p)));
  });
  return { ticketing: (id) => tickets.get(id), collaboration: (id) => calls.get(id) };
}
