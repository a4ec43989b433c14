/**
 * Forwards engineer comments to the partner ticket: the one a message names (by id and time: its
 * time-ordered timeline item), or all pending ones (a message that names none, or an id without a time).
 */
import type { SQSEvent } from 'aws-lambda';
import type { HubDeps } from '../core/deps';
import { commentRef } from '../core/timeline';
import { forwardComment, forwardComments } from '../core/use-cases/comments';
import { hubDeps } from './adapters/hub-deps';
import { withLambdaContext } from './adapters/logger';
import { ticketingWithSesMail } from './adapters/ses-mail';
import { CommentMessage, makeSqsHandler } from './sqs';

export const makeCommentForwarderHandler = (deps: HubDeps) =>
  makeSqsHandler(CommentMessage, (m) => (m.commentId && m.commentAt ? forwardComment(deps, m.escalationId, commentRef(m.commentId, m.commentAt)) : forwardComments(deps, m.escalationId)), deps.log, deps.store);

let wired: ReturnType<typeof makeCommentForwarderHandler> | undefined;
export const handler = withLambdaContext(async (event: SQSEvent) => (wired ??= makeCommentForwarderHandler(await hubDeps('comment-forwarder', { connectors: ticketingWithSesMail })))(event));
