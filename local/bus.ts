/** In-process EventBridge bus: events become EventBridge envelopes and go to every queue whose rule matches. */
import { randomUUID } from 'node:crypto';
import type { HubEvent } from '../core/events';
import type { EventBus } from '../core/ports';
import { matchesPattern, type EventPattern } from './event-pattern';
import type { LocalQueue } from './queues';

export interface LocalRule { name: string; pattern: EventPattern; target: LocalQueue }

export class LocalBus implements EventBus {
  /** Every event published, newest last (bounded), for tests and cost counting. */
  readonly published: HubEvent[] = [];
  constructor(private readonly rules: LocalRule[], private readonly keep = 1000) {}

  async publish(events: HubEvent[]): Promise<void> {
    for (const e of events) {
      const envelope = {
        version: '0', id: randomUUID(), 'detail-type': e.detailType, source: e.source, account: '000000000000',
        time: new Date().toISOString(), region: 'local', resources: [], detail: e.detail,
      };
      for (const rule of this.rules) {
        if (matchesPattern(rule.pattern, envelope)) rule.target.send(JSON.stringify(envelope));
      }
      this.published.push(e);
      if (this.published.length > this.keep) this.published.shift();
    }
  }
}
