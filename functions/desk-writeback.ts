/** Writes to the vendor's desk cases: the partner ticket's number, status and comments (core/use-cases/desk-events.ts). */
import type { SQSEvent } from 'aws-lambda';
import * as z from 'zod';
import type { HubDeps } from '../core/deps';
import { EVENT_SCHEMAS, type EventType } from '../core/events';
import { writeBackToDesk } from '../core/use-cases/desk-events';
import { buildDeskRegistry } from '../connectors/desk-registry';
import { hubDeps } from './adapters/hub-deps';
import { withLambdaContext } from './adapters/logger';
import { sqsWorkQueue } from './adapters/sqs-queue';
import { makeSqsHandler } from './sqs';

const DeskWriteBack = z.strictObject({
  ticketNumber: z.string().optional(),
  status: z.string().optional(),
  comment: z.strictObject({ body: z.string().min(1), public: z.boolean() }).optional(),
});
/** A queue body: a write sent directly (a note, a deferred write), or a domain event the rule routed here. */
export const DeskWriteQueueMessage = z.union([
  z.strictObject({
    deskId: z.string().min(1), caseId: z.string().min(1), update: DeskWriteBack, escalationId: z.string().optional(), once: z.string().optional(),
    deferrals: z.number().int().min(0).optional(),
  }),
  z.object({
    id: z.string().min(1).optional(),
    deferrals: z.number().int().min(0).optional(), // put back after a desk's Retry-After (core deskEventBody)
    'detail-type': z.enum(Object.keys(EVENT_SCHEMAS) as [EventType, ...EventType[]]),
    detail: z.object({
      escalationId: z.string().min(1),
      to: z.string().optional(), // PartnerStatusChanged
      threshold: z.string().optional(), deadline: z.string().optional(), // EscalationAged
      // a known incident's events name the incident (KnownIncidentConfirmed, ConfirmedIncidentResolved)
      incidentId: z.string().min(1).optional(), title: z.string().optional(), status: z.string().optional(), url: z.string().optional(),
    }),
  }).transform(({ id, deferrals, 'detail-type': type, detail: d }) => ({
    type, escalationId: d.escalationId, eventId: id, to: d.to, deferrals,
    aging: d.threshold !== undefined && d.deadline !== undefined ? { threshold: d.threshold, deadline: d.deadline } : undefined,
    incident: d.incidentId !== undefined ? { id: d.incidentId, title: d.title ?? '', status: d.status ?? '', url: d.url } : undefined,
  })),
]);

export const makeDeskWritebackHandler = (deps: HubDeps) => makeSqsHandler(DeskWriteQueueMessage, (m) => writeBackToDesk(deps, m), deps.log, deps.store);

let wired: ReturnType<typeof makeDeskWritebackHandler> | undefined;
export const handler = withLambdaContext(async (event: SQSEvent) => (wired ??= makeDeskWritebackHandler(await hubDeps('desk-writeback', { connectors: buildDeskRegistry, queue: sqsWorkQueue })))(event));
