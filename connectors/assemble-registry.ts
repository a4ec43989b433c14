/**
 * Which connector speaks for which partner, built once from the configuration (fails loudly at start): for
 * each partner and each kind of connector, the connector its profile names (catalog.ts), built by the
 * calling function's builder for that kind (its full HTTP half, its inbound half, or a stand-in that only
 * checks the settings), then wrapped by the partner-input guard (partner-input-guard.ts): whatever a
 * partner says reaches the core checked, whichever connector spoke.
 */
import type { HubConfig, PartnerProfile } from '../core/config';
import { ConfigError } from '../core/errors';
import type { ConnectorRegistry } from '../core/ports';
import { CATALOG } from './generated/descriptors';
import { KIND_NAMES, KINDS, settingsOf, type AnyDescriptor, type ConnectorDescriptor, type ConnectorKind, type PortOf } from './kinds';

/** How a function builds the connectors of each kind, from a connector's descriptor and a partner's profile. */
export type Builders = { [K in ConnectorKind]: (descriptor: ConnectorDescriptor<K>, profile: PartnerProfile) => PortOf<K> };

/** The connectors of one kind, in catalog order. */
export const descriptorsOf = <K extends ConnectorKind>(kind: K): ConnectorDescriptor<K>[] =>
  CATALOG.filter((d): d is AnyDescriptor & ConnectorDescriptor<K> => d.kind === kind);

type Built = { [K in ConnectorKind]: Map<string, PortOf<K>> };

export function assembleRegistry(config: HubConfig, build: Builders): ConnectorRegistry {
  const built: Built = { ticketing: new Map(), collaboration: new Map() };
  const add = <K extends ConnectorKind>(kind: K, p: PartnerProfile, i: number) => {
    const spec = KINDS[kind];
    const chosen = spec.chosen(p);
    if (chosen === undefined) return;
    const known = descriptorsOf(kind);
    const descriptor = known.find((d) => d.id === chosen.connector);
    if (!descriptor) {
      throw new ConfigError(`partners[${i}].${spec.field}: unknown ${spec.noun} "${String(chosen.connector)}" (known: ${known.map((d) => d.id).join(', ') || 'none'})`);
    }
    const connectors: Map<string, PortOf<K>> = built[kind];
    connectors.set(p.id, spec.guard(build[kind](descriptor, p)));
  };
  config.partners.forEach((p, i) => { for (const kind of KIND_NAMES) add(kind, p, i); });
  return { ticketing: (id) => built.ticketing.get(id), collaboration: (id) => built.collaboration.get(id) };
}

/**
 * For functions that must know a partner's connector is configured right (and, for ticketing, whether it
 * has an API) but never call it: the settings are checked, and every call refuses (a deployment error).
 * Their bundles then carry the descriptors and nothing of the connectors' halves.
 */
export function settingsOnly<K extends ConnectorKind>(descriptor: ConnectorDescriptor<K>, profile: PartnerProfile): PortOf<K> {
  settingsOf(descriptor, profile);
  return KINDS[descriptor.kind].refusing(profile, descriptor, `this function only checks the ${descriptor.kind} settings`);
}
