/** Everything a use case may touch, handed in by the entry point (AWS or local) or a test. */
import type { HubConfig, PartnerProfile } from './config';
import type { Log } from './log';
import type { Clock, ConnectorRegistry, EscalationStore, EventBus, WorkQueue } from './ports';

/** The Log port lives in core/log.ts with the handling scope its lines are correlated by. */
export { type Log, silentLog } from './log';

/**
 * `HubProblems`: the hub's own set-up stopped it (a partner refused the hub's credentials); an alarm
 * watches it (infra/hub-alarms.ts), so the adapter also reports it without the partner dimension.
 */
export type MetricName = 'EscalationsOpened' | 'EscalationsReferred' | 'EscalationsAged' | 'PartnerCallErrors' | 'PartnerTicketConflicts' | 'HubProblems';

/** Where the hub's metrics go (CloudWatch namespace and the `service` dimension); infra alarms on them. */
export const METRICS = { namespace: 'PartnerEscalationHub', service: 'partner-escalation-hub' } as const;

/** Business and partner metrics (CloudWatch EMF through Powertools in AWS; a log line or nothing locally). */
export interface Metrics {
  count(name: MetricName, partnerId: string, value?: number): void;
  /** Milliseconds of one partner call, by operation and outcome. */
  partnerLatency(partnerId: string, operation: string, ms: number, ok: boolean): void;
}

export interface HubDeps {
  config: HubConfig;
  store: EscalationStore;
  bus: EventBus;
  queue: WorkQueue;
  clock: Clock;
  connectors: ConnectorRegistry;
  newId: () => string;
  /** In [0, 1): jitter source, injectable for deterministic tests. */
  random: () => number;
  log: Log;
  /** Optional: without it, nothing is measured. */
  metrics?: Metrics;
  /**
   * The hub's public base URL (`https://…`, no trailing slash), where providers reach its webhooks: the
   * notification URL of the subscriptions it creates. Absent: it creates none (and says so in the log).
   */
  publicUrl?: string | undefined;
  /** Lease lengths (core/leases.ts); tests shorten them, entry points leave the defaults. */
  leases?: { attemptMs?: number; marginMs?: number };
}

/**
 * What a use case reaches: the parts of HubDeps it names, and the parts of the store it uses (core/ports.ts),
 * e.g. `Needs<'clock' | 'bus', EscalationRecords & TimelineStore>`. A caller hands it the whole HubDeps.
 */
export type Needs<K extends Exclude<keyof HubDeps, 'store'>, S> = Pick<HubDeps, K> & { store: S };

export function partnerById(config: HubConfig, partnerId: string): PartnerProfile | undefined {
  return config.partners.find((p) => p.id === partnerId);
}

/** Logical queue names; adapters map them to SQS URLs or in-process queues. */
export const QUEUES = {
  partnerWork: (partnerId: string) => `partner-work-${partnerId}`,
  inbound: 'inbound',
  comments: 'comments',
  notifications: 'notifications',
  /** Writes to the vendor's desks (partner ticket number, status, comments), when `desks` are configured. */
  deskWriteback: 'desk-writeback',
} as const;
