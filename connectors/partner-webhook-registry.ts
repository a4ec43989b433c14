/**
 * The partners' inbound halves (generated/webhook.ts), apart from the desks': the mail-inbound function reads
 * partner mail (the `email` connector's mail reader is an inbound half) and so carries these alone, not the
 * desks' event parsers (salesforce-desk's XML parser). webhook-registry.ts adds the desks' for the webhook function.
 */
import type { HubConfig } from '../core/config';
import { systemClock, type ConnectorRegistry } from '../core/ports';
import { assembleRegistry, refusedCalls, settingsOnly, type Builders } from './assemble-registry';
import { WEBHOOK_HALVES } from './generated/webhook';
import type { WebhookHalf } from './halves';
import type { ConnectorDescriptor, ConnectorKind, InboundPorts, ProfileOf } from './kinds';

/** A partner connector's webhooks: its inbound half. */
export function inboundHalf<K extends ConnectorKind>(d: ConnectorDescriptor<K>, p: ProfileOf<K>): InboundPorts[K] {
  return (WEBHOOK_HALVES[d.id] as unknown as WebhookHalf<K>)(p, systemClock);
}

export const inboundOnly = { calls: refusedCalls('this registry only verifies and parses webhooks'), webhooks: inboundHalf };

/** The partners' kinds with their inbound halves; service-health sources send no webhooks: their settings are only checked. */
export const partnerWebhooks: Omit<Builders, 'desk'> = {
  ticketing: inboundOnly, collaboration: inboundOnly, serviceHealth: settingsOnly('serviceHealth'),
};

/** The mail-inbound function's registry: the partners' inbound halves; the desks' settings are only checked. */
export function buildPartnerWebhookRegistry(config: HubConfig): ConnectorRegistry {
  return assembleRegistry(config, { ...partnerWebhooks, desk: settingsOnly('desk') });
}
buildPartnerWebhookRegistry.connectorSet = 'webhooks' as const;
