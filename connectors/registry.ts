/** Which connector speaks for which partner, built once from the configuration (fails loudly at start). */
import type { HubConfig, PartnerProfile } from '../core/config';
import { ConfigError } from '../core/errors';
import type { CollaborationConnector, ConnectorRegistry, TicketingConnector } from '../core/ports';
import { partnerBreaker, withCircuitBreaker } from './circuit-breaker';
import { genericRestConnector } from './generic-rest/connector';
import { manualConnector } from './manual/connector';
import { jiraConnector } from './jira/connector';
import { serviceNowConnector } from './servicenow/connector';
import { zendeskConnector } from './zendesk/connector';
import { teamsConnector } from './teams/connector';
import { zoomConnector } from './zoom/connector';

export type TicketingFactory = (profile: PartnerProfile) => TicketingConnector;
/** Builds a collaboration connector from the profile's `collaboration` settings (validated by the factory). */
export type CollaborationFactory = (settings: Record<string, unknown>, profile: PartnerProfile) => CollaborationConnector;

/** Ticketing connectors by id (the profile's `connector`). */
export const TICKETING_CONNECTORS: Record<string, TicketingFactory> = {
  'generic-rest': genericRestConnector,
  servicenow: (profile) => serviceNowConnector(profile),
  zendesk: zendeskConnector,
  jira: jiraConnector,
  manual: manualConnector,
};

/** Collaboration connectors by id (the profile's `collaboration.connector`). */
export const COLLABORATION_CONNECTORS: Record<string, CollaborationFactory> = {
  teams: teamsConnector,
  zoom: zoomConnector,
};

export function buildRegistry(
  config: HubConfig,
  ticketing: Record<string, TicketingFactory> = TICKETING_CONNECTORS,
  collaboration: Record<string, CollaborationFactory> = COLLABORATION_CONNECTORS,
): ConnectorRegistry {
  const tickets = new Map<string, TicketingConnector>();
  const calls = new Map<string, CollaborationConnector>();
  config.partners.forEach((p, i) => {
    const factory = ticketing[p.connector];
    if (!factory) {
      throw new ConfigError(`partners[${i}].connector: unknown connector "${p.connector}" (known: ${Object.keys(ticketing).join(', ')})`);
    }
    const connector = factory(p);
    tickets.set(p.id, connector.mode === 'manual' ? connector : withCircuitBreaker(connector, partnerBreaker(p)));
    const collab = (p as { collaboration?: unknown }).collaboration;
    if (collab === undefined) return;
    const settings = collab as { connector?: unknown };
    const make = typeof settings.connector === 'string' ? collaboration[settings.connector] : undefined;
    if (!make) {
      throw new ConfigError(`partners[${i}].collaboration.connector: unknown collaboration connector "${String(settings.connector)}" (known: ${Object.keys(collaboration).join(', ') || 'none'})`);
    }
    calls.set(p.id, make(collab as Record<string, unknown>, p));
  });
  return { ticketing: (id) => tickets.get(id), collaboration: (id) => calls.get(id) };
}
