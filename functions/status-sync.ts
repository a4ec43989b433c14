/**
 * Applies partner status updates taken in by the webhook function (or found by the sweep); for a thin
 * event (`refresh`), reads the incident from the partner first, so it builds the partners' connectors.
 */
import type { SQSEvent } from 'aws-lambda';
import * as z from 'zod';
import { buildTicketingRegistry } from '../connectors/ticketing-registry';
import type { HubDeps } from '../core/deps';
import { PARTNER_STATUSES } from '../core/escalation';
import { applyPartnerUpdates } from '../core/use-cases/apply-partner-updates';
import { eventBridgeBus } from './adapters/eventbridge-bus';
import { hubDeps } from './adapters/hub-deps';
import { withLambdaContext } from './adapters/logger';
import { makeSqsHandler } from './sqs';

const InboundMessage = z.object({
  partnerId: z.string().min(1),
  deliveryId: z.string().min(1),
  updates: z.array(z.object({
    ticketId: z.string().min(1),
    ticketNumber: z.string().optional(),
    status: z.enum(PARTNER_STATUSES).nullable(),
    partnerStatus: z.string(),
    updatedAt: z.string(),
    comment: z.string().optional(),
    refusal: z.string().optional(),
    respondBy: z.string().optional(),
    refresh: z.boolean().optional(),
  })),
  redrive: z.number().int().positive().optional(),
});

export const makeStatusSyncHandler = (deps: HubDeps) =>
  makeSqsHandler(InboundMessage, (m) => applyPartnerUpdates(deps, m), deps.log, deps.store);

let wired: ReturnType<typeof makeStatusSyncHandler> | undefined;
export const handler = withLambdaContext(async (event: SQSEvent) => (wired ??= makeStatusSyncHandler(await hubDeps('status-sync', { connectors: buildTicketingRegistry, bus: eventBridgeBus })))(event));
