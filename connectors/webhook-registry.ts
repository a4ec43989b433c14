/**
 * The connectors of the webhook function: each connector's inbound half (`<id>/webhook.ts`, listed in
 * generated/webhook.ts: verify and parse), with the same settings validation and errors as `buildRegistry`,
 * and no HTTP client: the webhook function never calls a partner, so its bundle carries neither axios nor the circuit breaker. Anything but
 * verifying and parsing is a deployment error.
 */
import type { HubConfig, PartnerProfile } from '../core/config';
import { systemClock, type ConnectorRegistry } from '../core/ports';
import { assembleRegistry } from './assemble-registry';
import { WEBHOOK_HALVES } from './generated/webhook';
import type { WebhookHalf } from './halves';
import { KINDS, type ConnectorDescriptor, type ConnectorKind, type PortOf } from './kinds';

/** A connector that verifies and parses webhooks with its inbound half, and refuses every partner call. */
function inboundOnly<K extends ConnectorKind>(d: ConnectorDescriptor<K>, p: PartnerProfile): PortOf<K> {
  const inbound = (WEBHOOK_HALVES[d.id] as WebhookHalf<K>)(p, systemClock);
  return KINDS[d.kind].withInbound(KINDS[d.kind].refusing(p, d, 'this registry only verifies and parses webhooks'), inbound);
}

export function buildWebhookRegistry(config: HubConfig): ConnectorRegistry {
  return assembleRegistry(config, { ticketing: inboundOnly, collaboration: inboundOnly });
}
