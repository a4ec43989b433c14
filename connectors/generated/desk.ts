// Written by `npm run connectors` (scripts/generate-connectors.ts) from connectors/catalog.ts: do not edit.
import type { HttpHalf } from '../halves';
import { zendeskDeskWriter } from '../zendesk-desk/desk';
import { salesforceDeskWriter } from '../salesforce-desk/desk';

/** The desk halves, by connector id. */
export const DESK_HALVES: Readonly<Record<string, HttpHalf<'desk'>>> = {
  'zendesk-desk': zendeskDeskWriter,
  'salesforce-desk': salesforceDeskWriter,
};
