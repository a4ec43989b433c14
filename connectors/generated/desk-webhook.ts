// Written by `npm run connectors` (scripts/generate-connectors.ts) from connectors/catalog.ts: do not edit.
import type { WebhookHalf } from '../halves';
import { zendeskDeskInbound } from '../zendesk-desk/webhook';
import { salesforceDeskInbound } from '../salesforce-desk/webhook';

/** The desk-webhook halves, by connector id. */
export const DESK_WEBHOOK_HALVES: Readonly<Record<string, WebhookHalf<'desk'>>> = {
  'zendesk-desk': zendeskDeskInbound,
  'salesforce-desk': salesforceDeskInbound,
};
