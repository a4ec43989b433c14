/**
 * A function gets only what its access profile grants it (topology/access.ts), in AWS
 * (functions/adapters/hub-deps.ts) and in the local runtime (local/hub.ts) alike: each part the profile does
 * not grant is replaced by one that refuses, loudly, naming the function. So a use case that reaches a port
 * its function is not granted fails in a local end-to-end run, where AWS would fail it (AccessDenied or a
 * missing setting), not first in AWS.
 */
import type { HubDeps } from '../../core/deps';
import { ConfigError } from '../../core/errors';
import type { ConnectorRegistry, EscalationStore, EventBus, WorkQueue } from '../../core/ports';
import type { AccessProfile, ConnectorSet, TableAction } from '../../topology/access';
import { withheldConnectors } from './secrets';

/** The bus of a function that does not publish (no `putEvents`): publishing is a deployment error. */
export const noBus = (fn: string): EventBus => ({
  async publish(events) {
    if (events.length) throw new ConfigError(`${fn} was deployed without an event bus, so it cannot publish ${events[0]!.detailType} (topology/access.ts)`);
  },
});

/** The queues of a function that sends to none (`sendTo: 'none'`): sending is a deployment error. */
export const noQueue = (fn: string): WorkQueue => ({
  async send(m) {
    throw new ConfigError(`${fn} was deployed without work queues, so it cannot send to ${m.queue} (topology/access.ts)`);
  },
});

/**
 * The work queues `names` of `queue`, for a runtime whose queue reaches them all (the local one): the others
 * refuse, as in AWS, where a function is given the URLs of its granted queues only.
 */
export const onlyQueues = (fn: string, queue: WorkQueue, names: readonly string[]): WorkQueue => ({
  async send(m) {
    if (!names.includes(m.queue)) throw new ConfigError(`${fn} was deployed without queue ${m.queue}, so it cannot send to it (topology/access.ts sendTo)`);
    await queue.send(m);
  },
});

/** What a runtime can hand a function; `grantedDeps` hands on what the function's profile grants. */
export interface GrantableParts {
  /** The store, for a function granted `table` (locally limited to those actions; in AWS, IAM limits them). */
  store: (table: readonly TableAction[]) => EscalationStore;
  bus?: (() => EventBus) | undefined;
  /** The work queues the profile's `sendTo` names (topology/access.ts `queuesGranted`). */
  queue?: (() => WorkQueue) | undefined;
  /** Builds the set of connectors the profile names (`connectors`): locally any set, in AWS the function's own. */
  connectors?: ((set: ConnectorSet) => ConnectorRegistry) | undefined;
  /** Read when a use case asks for it: the local runtime knows its own URL only once it listens. */
  publicUrl?: (() => string | undefined) | undefined;
}

/** The parts every function gets, granted or not (no AWS permission stands behind them). */
export type UngrantedDeps = Omit<HubDeps, 'store' | 'bus' | 'queue' | 'connectors' | 'publicUrl'>;

/** `fn`'s deps: `given`, and of `parts` what `profile` grants; what it does not grant refuses. */
export function grantedDeps(fn: string, profile: AccessProfile, given: UngrantedDeps, parts: GrantableParts): HubDeps {
  const publicUrl = profile.publicUrl ? parts.publicUrl : undefined;
  return {
    ...given,
    store: parts.store(profile.table),
    bus: profile.putEvents && parts.bus ? parts.bus() : noBus(fn),
    queue: profile.sendTo !== 'none' && parts.queue ? parts.queue() : noQueue(fn),
    connectors: profile.readsPartnerSecrets && profile.connectors && parts.connectors ? parts.connectors(profile.connectors) : withheldConnectors(fn),
    get publicUrl() { return publicUrl?.(); },
  };
}
