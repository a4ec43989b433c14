/** Opens partner incidents: one SQS record = "look at escalation X". */
import type { SQSEvent } from 'aws-lambda';
import type { HubDeps } from '../core/deps';
import { openPartnerIncident } from '../core/use-cases/open-partner-incident';
import { eventBridgeBus } from './adapters/eventbridge-bus';
import { hubDeps } from './adapters/hub-deps';
import { withLambdaContext } from './adapters/logger';
import { ticketingWithSesMail } from './adapters/ses-mail';
import { sqsWorkQueue } from './adapters/sqs-queue';
import { EscalationMessage, makeSqsHandler } from './sqs';

export const makePartnerWorkerHandler = (deps: HubDeps) =>
  makeSqsHandler(EscalationMessage, (m) => openPartnerIncident(deps, m.escalationId), deps.log, deps.store);

let wired: ReturnType<typeof makePartnerWorkerHandler> | undefined;
export const handler = withLambdaContext(async (event: SQSEvent) => (wired ??= makePartnerWorkerHandler(await hubDeps('partner-worker', { connectors: ticketingWithSesMail, bus: eventBridgeBus, queue: sqsWorkQueue })))(event));
