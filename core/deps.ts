/** Everything a use case may touch, handed in by the entry point (AWS or local) or a test. */
import type { HubConfig, PartnerProfile } from './config';
import type { Clock, ConnectorRegistry, EscalationStore, EventBus, WorkQueue } from './ports';

export interface Log {
  debug(message: string, extra?: Record<string, unknown>): void;
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

export const silentLog: Log = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/** Business and partner metrics (CloudWatch EMF through Powertools in AWS; a log line or nothing locally). */
export interface Metrics {
  count(name: 'EscalationsOpened' | 'EscalationsReferred' | 'EscalationsAged' | 'PartnerCallErrors', partnerId: string, value?: number): void;
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
  /** Lease lengths (core/leases.ts); tests shorten them, entry points leave the defaults. */
  leases?: { attemptMs?: number; marginMs?: number };
}

export function partnerById(config: HubConfig, partnerId: string): PartnerProfile | undefined {
  return config.partners.find((p) => p.id === partnerId);
}

/** Logical queue names; adapters map them to SQS URLs or in-process queues. */
export const QUEUES = {
  partnerWork: (partnerId: string) => `partner-work-${partnerId}`,
  inbound: 'inbound',
  comments: 'comments',
  notifications: 'notifications',
} as const;
