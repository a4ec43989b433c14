/** Scheduled: creates, renews, reauthorizes and ends the hub's meeting subscriptions (Graph) that are due. */
import type { HubDeps } from '../core/deps';
import { maintainMeetingSubscriptions } from '../core/use-cases/meeting-subscriptions';
import { buildCollaborationRegistry } from '../connectors/collaboration-registry';
import { requiredEnv } from './adapters/config-source';
import { hubDeps } from './adapters/hub-deps';
import { withLambdaContext } from './adapters/logger';
import { scheduledHandler } from './scheduled';

export const makeMeetingSubscriptionsHandler = (deps: HubDeps) => scheduledHandler('meeting-subscriptions', () => maintainMeetingSubscriptions(deps));

let wired: ReturnType<typeof makeMeetingSubscriptionsHandler> | undefined;
export const handler = withLambdaContext(async () => {
  // in AWS the subscriptions' notification URL is the whole point of this function: no URL, no start
  requiredEnv('HUB_PUBLIC_URL');
  return (wired ??= makeMeetingSubscriptionsHandler(await hubDeps('meeting-subscriptions', { connectors: buildCollaborationRegistry })))();
});
