/**
 * The connectors of the webhook function: each connector's inbound half (`<id>/webhook.ts`, listed in
 * generated/webhook.ts: verify and parse), with the same settings validation and errors as `buildRegistry`,
 * and no HTTP client: the webhook function never calls a partner, so its bundle carries neither axios nor
 * the circuit breaker. Anything but verifying and parsing is a deployment error.
 */
import type { HubConfig } from '../core/config';
import { systemClock, type ConnectorRegistry } from '../core/ports';
import { assembleRegistry, refusedCalls, settingsOnly } from './assemble-registry';
import { WEBHOOK_HALVES } from './generated/webhook';
import type { WebhookHalf } from './halves';
import type { ConnectorDescriptor, ConnectorKind, InboundPorts, ProfileOf } from './kinds';

/** A connector's webhooks: its inbound half. */
export function inboundHalf<K extends ConnectorKind>(d: ConnectorDescriptor<K>, p: ProfileOf<K>): InboundPorts[K] {
  return (WEBHOOK_HALVES[d.id] as unknown as WebhookHalf<K>)(p, systemClock);
}

export function buildWebhookRegistry(config: HubConfig): ConnectorRegistry {
  const inboundOnly = { calls: refusedCalls('this registry only verifies and parses webhooks'), webhooks: inboundHalf };
  // service-health sources send no webhooks: their settings are only checked
  return assembleRegistry(config, { ticketing: inboundOnly, collaboration: inboundOnly, serviceHealth: settingsOnly('serviceHealth'), desk: inboundOnly });
}
/** The set of connectors it builds (topology/access.ts `connectors`): checked against the function's grant. */
buildWebhookRegistry.connectorSet = 'webhooks' as const;
