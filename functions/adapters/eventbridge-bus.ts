/** EventBus on EventBridge. Checks FailedEntryCount: a dropped event is an error, never silent. */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { HubEvent } from '../../core/events';
import type { EventBus } from '../../core/ports';
import { requiredEnv } from './config-source';

export class EventBridgeBus implements EventBus {
  constructor(private readonly client: EventBridgeClient, private readonly busName: string) {}

  async publish(events: HubEvent[]): Promise<void> {
    for (let i = 0; i < events.length; i += 10) {
      const batch = events.slice(i, i + 10);
      const r = await this.client.send(new PutEventsCommand({
        Entries: batch.map((e) => ({ EventBusName: this.busName, Source: e.source, DetailType: e.detailType, Detail: JSON.stringify(e.detail) })),
      }));
      if (r.FailedEntryCount) {
        const first = r.Entries?.find((x) => x.ErrorCode);
        throw new Error(`EventBridge rejected ${r.FailedEntryCount} event(s): ${first?.ErrorCode} ${first?.ErrorMessage}`);
      }
    }
  }
}

/** The hub's bus (`BUS_NAME`), for the functions that publish (topology/access.ts `putEvents`). */
export const eventBridgeBus = (): EventBus => new EventBridgeBus(new EventBridgeClient({}), requiredEnv('BUS_NAME'));
