/**
 * Notifies subscribers of domain events. A bus event is fanned out into one message per subscriber;
 * each delivery is retried by the queue alone and dead-lettered after its last receive.
 */
import type { SQSEvent } from 'aws-lambda';
import * as z from 'zod';
import type { HubDeps } from '../core/deps';
import { NOTIFICATION_EVENTS, type NotificationChannel } from '../core/notifications';
import { deliverNotification, fanOutNotification } from '../core/use-cases/notify';
import { notificationChannel } from '../connectors/notify/channels';
import { hubDeps } from './adapters/hub-deps';
import { withLambdaContext } from './adapters/logger';
import { sesEmailSender } from './adapters/ses-email';
import { sqsWorkQueue } from './adapters/sqs-queue';
import { makeSqsHandler } from './sqs';

const Message = z.union([
  z.object({
    kind: z.literal('delivery'), subscriberId: z.string(), eventId: z.string(), type: z.enum(NOTIFICATION_EVENTS),
    time: z.string(), detail: z.record(z.string(), z.unknown()),
  }),
  z.object({ id: z.string(), time: z.string(), 'detail-type': z.string(), detail: z.record(z.string(), z.unknown()) }),
]);

export const makeNotifierHandler = (deps: HubDeps, channel: NotificationChannel) =>
  makeSqsHandler(Message, (m) => ('kind' in m ? deliverNotification(deps, channel, m) : fanOutNotification(deps, m)), deps.log, deps.store);

let wired: ReturnType<typeof makeNotifierHandler> | undefined;
export const handler = withLambdaContext(async (event: SQSEvent) => (wired ??= makeNotifierHandler(await hubDeps('notifier', { queue: sqsWorkQueue }), notificationChannel(sesEmailSender())))(event));
