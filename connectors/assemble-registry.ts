/**
 * Which connector speaks for which partner, built once from the configuration (fails loudly at start): for
 * each partner and each kind of connector, the connector its profile names (catalog.ts), composed here of
 * its partner calls and its webhooks, each built by the calling function's builders for that kind (the
 * HTTP half, the inbound half, or a part that refuses: a deployment error), then wrapped by the
 * partner-input guard (partner-input-guard.ts): whatever a partner says reaches the core checked,
 * whichever connector spoke.
 */
import type { HubConfig } from '../core/config';
import { ConfigError } from '../core/errors';
import type { ConnectorRegistry } from '../core/ports';
import { CATALOG } from './generated/descriptors';
import {
  composeConnector, KIND_NAMES, KINDS, settingsOf, type AnyDescriptor, type ConnectorDescriptor, type ConnectorKind, type InboundPorts, type OutboundPort, type PortOf, type ProfileOf,
} from './kinds';

type Part<K extends ConnectorKind, T> = (descriptor: ConnectorDescriptor<K>, profile: ProfileOf<K>) => T;
/** How a function builds the two parts of a connector of kind K, from its descriptor and a partner's profile. */
export interface KindBuilders<K extends ConnectorKind> { calls: Part<K, OutboundPort<K>>; webhooks: Part<K, InboundPorts[K]> }
/** How a function builds the connectors of each kind. */
export type Builders = { [K in ConnectorKind]: KindBuilders<K> };

/** The connectors of one kind, in catalog order. */
export const descriptorsOf = <K extends ConnectorKind>(kind: K): ConnectorDescriptor<K>[] =>
  CATALOG.filter((d): d is AnyDescriptor & ConnectorDescriptor<K> => d.kind === kind);

type Built = { [K in ConnectorKind]: Map<string, PortOf<K>> };

export function assembleRegistry(config: HubConfig, build: Builders): ConnectorRegistry {
  const built: Built = { ticketing: new Map(), collaboration: new Map(), serviceHealth: new Map(), desk: new Map() };
  const add = <K extends ConnectorKind>(kind: K, p: ProfileOf<K>, i: number) => {
    const spec = KINDS[kind];
    const chosen = spec.chosen(p);
    if (chosen === undefined) return;
    const known = descriptorsOf(kind);
    const descriptor = known.find((d) => d.id === chosen.connector);
    if (!descriptor) {
      throw new ConfigError(`${spec.list}[${i}].${spec.field}: unknown ${spec.noun} "${String(chosen.connector)}" (known: ${known.map((d) => d.id).join(', ') || 'none'})`);
    }
    const connectors: Map<string, PortOf<K>> = built[kind];
    const parts: KindBuilders<K> = build[kind];
    connectors.set(p.id, spec.guard(composeConnector(descriptor, parts.calls(descriptor, p), parts.webhooks(descriptor, p))));
  };
  const addAll = <K extends ConnectorKind>(kind: K) => { KINDS[kind].profiles(config).forEach((p, i) => add(kind, p, i)); };
  for (const kind of KIND_NAMES) addAll(kind);
  return {
    ticketing: (id) => built.ticketing.get(id), collaboration: (id) => built.collaboration.get(id), serviceHealth: (id) => built.serviceHealth.get(id),
    desk: (id) => built.desk.get(id),
  };
}

/** Partner calls for a function that never makes one: each refuses, saying `why` (a deployment error). */
export const refusedCalls = (why: string) => <K extends ConnectorKind>(descriptor: ConnectorDescriptor<K>, profile: ProfileOf<K>): OutboundPort<K> =>
  KINDS[descriptor.kind].refusing(profile, descriptor, why);

/** Webhooks for a function that never receives one: verifying or parsing refuses, saying `why` (a deployment error). */
export const refusedWebhooks = (why: string) => <K extends ConnectorKind>(descriptor: ConnectorDescriptor<K>, profile: ProfileOf<K>): InboundPorts[K] =>
  KINDS[descriptor.kind].refusingInbound(profile, descriptor, why);

/**
 * For functions that must know a partner's connector is configured right (and, for ticketing, whether it
 * has an API) but never call it: the settings are checked, and every call refuses (a deployment error).
 * Their bundles then carry the descriptors and nothing of the connectors' halves.
 */
export function settingsOnly<K extends ConnectorKind>(kind: K): KindBuilders<K> {
  const why = `this function only checks the ${kind} settings`;
  return {
    calls: (descriptor, profile) => { settingsOf(descriptor, profile); return refusedCalls(why)(descriptor, profile); },
    webhooks: refusedWebhooks(why),
  };
}
