/** Forwards pending engineer comments to the partner ticket. */
import type { SQSEvent } from 'aws-lambda';
import type { HubDeps } from '../core/deps';
import { forwardComments } from '../core/use-cases/comments';
import { buildTicketingRegistry } from '../connectors/ticketing-registry';
import { hubDeps } from './adapters/hub-deps';
import { EscalationMessage, makeSqsHandler } from './sqs';

export const makeCommentForwarderHandler = (deps: HubDeps) =>
  makeSqsHandler(EscalationMessage, (m) => forwardComments(deps, m.escalationId), deps.log, deps.store);

let wired: ReturnType<typeof makeCommentForwarderHandler> | undefined;
export const handler = async (event: SQSEvent) => (wired ??= makeCommentForwarderHandler(await hubDeps({ connectors: buildTicketingRegistry })))(event);
