/** `manual`, inbound half: a partner without an API sends no webhooks. */
import { defineWebhookHalf } from '../halves';
import type { InboundPorts } from '../kinds';
import { manual } from './descriptor';

export const manualWebhooks: InboundPorts['ticketing'] = {
  verifyWebhook: () => ({ kind: 'rejected', reason: 'manual partners send no webhooks' }),
  parseWebhook: () => [],
};

export const manualInbound = defineWebhookHalf(manual, () => manualWebhooks);
