/** Forwards engineer comments to the partner ticket: the one a message names, or all pending ones. */
import type { SQSEvent } from 'aws-lambda';
import type { HubDeps } from '../core/deps';
import { forwardComment, forwardComments } from '../core/use-cases/comments';
import { buildTicketingRegistry } from '../connectors/ticketing-registry';
import { hubDeps } from './adapters/hub-deps';
import { CommentMessage, makeSqsHandler } from './sqs';

export const makeCommentForwarderHandler = (deps: HubDeps) =>
  makeSqsHandler(CommentMessage, (m) => (m.commentId ? forwardComment(deps, m.escalationId, m.commentId) : forwardComments(deps, m.escalationId)), deps.log, deps.store);

let wired: ReturnType<typeof makeCommentForwarderHandler> | undefined;
export const handler = async (event: SQSEvent) => (wired ??= makeCommentForwarderHandler(await hubDeps({ connectors: buildTicketingRegistry })))(event);
