/**
 * The connectors of the webhook function: each connector's inbound half (`<id>/webhook.ts`, listed in
 * generated/webhook.ts for partners and generated/desk-webhook.ts for desks: verify and parse), with the
 * same settings validation and errors as `buildRegistry`, and no HTTP client: the webhook function never
 * calls a partner, so its bundle carries neither axios nor the circuit breaker. Anything but verifying and
 * parsing is a deployment error.
 */
import type { HubConfig } from '../core/config';
import { systemClock, type ConnectorRegistry } from '../core/ports';
import { assembleRegistry } from './assemble-registry';
import { DESK_WEBHOOK_HALVES } from './generated/desk-webhook';
import type { ConnectorDescriptor, InboundPorts, ProfileOf } from './kinds';
import { inboundHalf, inboundOnly, partnerWebhooks } from './partner-webhook-registry';

export { inboundHalf };

/** A desk's events: its inbound half. */
export const deskInbound = (d: ConnectorDescriptor<'desk'>, p: ProfileOf<'desk'>): InboundPorts['desk'] => DESK_WEBHOOK_HALVES[d.id]!(p, systemClock);

export function buildWebhookRegistry(config: HubConfig): ConnectorRegistry {
  return assembleRegistry(config, { ...partnerWebhooks, desk: { calls: inboundOnly.calls, webhooks: deskInbound } });
}
/** The set of connectors it builds (topology/access.ts `connectors`): checked against the function's grant. */
buildWebhookRegistry.connectorSet = 'webhooks' as const;
