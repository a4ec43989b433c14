/**
 * The kinds of connector, and what the hub asks of each: the port its connectors implement (a method of
 * `ConnectorRegistry` in core/ports.ts, named after the kind), the part of that port the inbound half
 * implements, where a partner profile names its connector and keeps the connector's settings, and the
 * stand-in a function gets that does not build the connector itself.
 *
 * Adding a kind: its port and a method of `ConnectorRegistry` (core/ports.ts), then an entry in
 * `InboundPorts`, `KindTraits` and `KINDS` here (TypeScript asks for each), and a registry for the
 * functions that call it.
 */
import type * as z from 'zod';
import type { DeskProfile, HubConfig, PartnerProfile } from '../core/config';
import { ConfigError } from '../core/errors';
import type { CollaborationConnector, ConnectorRegistry, DeskConnector, TicketingConnector } from '../core/ports';
import { guardCollaboration, guardServiceHealth, guardTicketing } from './partner-input-guard';
import type { SecretSpec } from './secret-forms';

export type ConnectorKind = keyof ConnectorRegistry & string;
/** The port a connector of kind K implements. */
export type PortOf<K extends ConnectorKind> = NonNullable<ReturnType<NonNullable<ConnectorRegistry[K]>>>;
/** What configures a connector of kind K: a partner profile, or for a desk connector the desk (`desks`). */
export type ProfileOf<K extends ConnectorKind> = K extends 'desk' ? DeskProfile : PartnerProfile;
/** The kinds a partner profile names (a desk is configured in `desks`, not in a partner). */
export const PARTNER_KINDS = ['ticketing', 'collaboration', 'serviceHealth'] as const;
export type PartnerKind = (typeof PARTNER_KINDS)[number];

/** What a connector's inbound half (`webhook.ts`) implements: the webhook function verifies and parses with it alone. */
export interface InboundPorts {
  ticketing: Pick<TicketingConnector, 'verifyWebhook' | 'parseWebhook' | 'readMail' | 'allowsSender'>;
  collaboration: Pick<CollaborationConnector, 'provider' | 'verifyWebhook' | 'parseWebhook' | 'lifecycleEvents'>;
  /** Service-health sources are polled: nothing inbound. */
  serviceHealth: object;
  /** The desk's events, verified and read with its mapping; the webhook function carries no desk HTTP client. */
  desk: Pick<DeskConnector, 'verifyEvent' | 'readEvents' | 'acknowledge'>;
}

/**
 * What a connector's HTTP half (`<kind>.ts`) implements: the port without what the inbound half answers
 * (both name the `provider`). The registries compose the two (assemble-registry.ts), so a function that
 * only calls partners carries no webhook code.
 */
export type OutboundPort<K extends ConnectorKind> = Omit<PortOf<K>, Exclude<keyof InboundPorts[K], 'provider'>>;

/** What a descriptor of kind K says beyond what every descriptor says. */
export interface KindTraits {
  ticketing: {
    /** `manual`: the partner has no API (an engineer works in its portal), so nothing to call and no sandbox. */
    readonly mode?: 'manual';
    /** `false`: the partner sends no webhooks (its updates arrive another way: e-mail), so there is no URL to register. */
    readonly webhooks?: false;
  };
  collaboration: object;
  serviceHealth: object;
  desk: object;
}

/**
 * A connector, as `connectors/<id>/descriptor.ts` declares it: the light part every function may carry.
 * Its halves are files next to it: `<kind>.ts` (the HTTP half: partner calls), `webhook.ts` (the inbound half)
 * and `sandbox.ts` (the local stand-in for the partner), each made with its define… helper (halves.ts).
 */
export type ConnectorDescriptor<K extends ConnectorKind = ConnectorKind, S = unknown> = {
  /** The folder's name, and what a profile writes to choose the connector. */
  readonly id: string;
  readonly kind: K;
  /** The connector's own settings (where they sit in a profile depends on the kind: KINDS). */
  readonly settings: z.ZodType<S>;
  /** One line for the table of connectors (docs/connectors.md). */
  readonly summary: string;
  /** The ready profile for real endpoints that uses it, in `examples/`. */
  readonly example: string;
  /** Its secrets (paths in its settings) and the form each must have: what `hub doctor` checks (secret-forms.ts). */
  readonly secrets?: readonly SecretSpec[];
  /** How its webhook URL is registered when that is more than the URL (`hub doctor` prints it after the URL; never a secret's value). */
  readonly webhookHint?: string;
} & KindTraits[K];

/** A descriptor of any kind (a union by `kind`). */
export type AnyDescriptor = { [K in ConnectorKind]: ConnectorDescriptor<K> }[ConnectorKind];

/** A descriptor of a kind a partner profile names. */
export type PartnerDescriptor = { [K in PartnerKind]: ConnectorDescriptor<K> }[PartnerKind];

export const defineConnector = <K extends ConnectorKind, S>(descriptor: ConnectorDescriptor<K, S>): ConnectorDescriptor<K, S> => descriptor;

export type Half = 'connector' | 'webhook' | 'sandbox';

interface KindSpec<K extends ConnectorKind> {
  /** The profiles that may name a connector of this kind, and the config list they sit in (for messages). */
  profiles(config: HubConfig): readonly ProfileOf<K>[];
  list: 'partners' | 'desks';
  /** The connector a profile names for this kind, and the settings it gives it; `undefined` when it names none. */
  chosen(profile: ProfileOf<K>): { connector: unknown; settings: unknown } | undefined;
  /** Where the profile names the connector, and what it is called, for messages. */
  field: string;
  noun: string;
  /** The message of settings that fail the connector's schema. */
  settingsError(profile: ProfileOf<K>, descriptor: ConnectorDescriptor<K>, issues: readonly z.core.$ZodIssue[]): string;
  /** The halves a connector of this kind has. */
  halves(descriptor: ConnectorDescriptor<K>): readonly Half[];
  /** Partner calls that all refuse, saying `why`: what a function gets in place of calls it never makes. */
  refusing(profile: ProfileOf<K>, descriptor: ConnectorDescriptor<K>, why: string): OutboundPort<K>;
  /** An inbound part that refuses every webhook, saying `why`: what a function gets that never receives one. */
  refusingInbound(profile: ProfileOf<K>, descriptor: ConnectorDescriptor<K>, why: string): InboundPorts[K];
  /** The connector: partner calls from `outbound`, webhooks from `inbound`. */
  compose(outbound: OutboundPort<K>, inbound: InboundPorts[K]): PortOf<K>;
  /** The partner-input guard (partner-input-guard.ts) every built connector is wrapped in. */
  guard(connector: PortOf<K>): PortOf<K>;
}

/** What a connector not built for this use answers to any call: a deployment error, loudly, saying who does it. */
const refusal = (profile: { id: string }, why: string, doneBy: string, noun = 'partner') => (): never => {
  throw new ConfigError(`${noun} ${profile.id}: ${why}; ${doneBy}`);
};
const callsRefused = (profile: PartnerProfile, why: string) =>
  refusal(profile, why, 'partner calls are made by the functions that build the full registry (connectors/registry.ts)');
const webhooksRefused = (profile: PartnerProfile, why: string) =>
  refusal(profile, why, 'webhooks are verified and parsed by the webhook function (connectors/webhook-registry.ts)');

/** `partners[<id>].collaboration.<field>: <message>` for a settings object inside the profile. */
const nestedIssues = (profile: PartnerProfile, at: string, issues: readonly z.core.$ZodIssue[]) =>
  issues.map((i) => `partners[${profile.id}].${at}${i.path.map((p) => `.${String(p)}`).join('')}: ${i.message}`).join('; ');

export const KINDS: { readonly [K in ConnectorKind]: KindSpec<K> } = {
  ticketing: {
    profiles: (c) => c.partners, list: 'partners',
    // the profile names its ticketing connector in `connector`; the connector's settings are the profile's own fields
    chosen: (p) => ({ connector: p.connector, settings: p }),
    field: 'connector',
    noun: 'connector',
    settingsError: (p, d, issues) => `partners[${p.id}] (${d.id}): ${issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    halves: (d) => (d.mode === 'manual' ? ['connector', 'webhook'] : ['connector', 'webhook', 'sandbox']),
    refusing: (p, d, why) => {
      const refuse = callsRefused(p, why);
      return {
        ...(d.mode ? { mode: d.mode } : {}),
        openIncident: async () => refuse(), findByExternalRef: async () => refuse(), getIncident: async () => refuse(), addComment: async () => refuse(),
      };
    },
    refusingInbound: (p, _d, why) => {
      const refuse = webhooksRefused(p, why);
      return { verifyWebhook: refuse, parseWebhook: refuse };
    },
    compose: (outbound, inbound) => ({ ...outbound, ...inbound }),
    guard: guardTicketing,
  },
  collaboration: {
    profiles: (c) => c.partners, list: 'partners',
    // `collaboration: { connector, …its settings }`, for joint calls
    chosen: (p) => (p.collaboration === undefined ? undefined : { connector: namedIn(p.collaboration), settings: p.collaboration }),
    field: 'collaboration.connector',
    noun: 'collaboration connector',
    settingsError: (p, _d, issues) => nestedIssues(p, 'collaboration', issues),
    halves: () => ['connector', 'webhook', 'sandbox'],
    refusing: (p, d, why) => {
      const refuse = callsRefused(p, why);
      return { provider: d.id, scheduleJointCall: async () => refuse() };
    },
    refusingInbound: (p, d, why) => {
      const refuse = webhooksRefused(p, why);
      return { provider: d.id, verifyWebhook: refuse, parseWebhook: refuse };
    },
    compose: (outbound, inbound) => ({ ...outbound, ...inbound }),
    guard: guardCollaboration,
  },
  serviceHealth: {
    profiles: (c) => c.partners, list: 'partners',
    // `serviceHealth: { source, …its settings }`: where the partner publishes its own incidents
    chosen: (p) => (p.serviceHealth === undefined ? undefined : { connector: namedIn(p.serviceHealth, 'source'), settings: p.serviceHealth }),
    field: 'serviceHealth.source',
    noun: 'service-health source',
    settingsError: (p, _d, issues) => nestedIssues(p, 'serviceHealth', issues),
    halves: () => ['connector', 'sandbox'],
    refusing: (p, d, why) => {
      const refuse = callsRefused(p, why);
      return { source: d.id, get pollIntervalSeconds(): number { return refuse(); }, listActive: async () => refuse() };
    },
    refusingInbound: () => ({}),
    // nothing inbound; the outbound object is kept whole (its `pollIntervalSeconds` may be a getter that refuses)
    compose: (outbound) => outbound,
    guard: guardServiceHealth,
  },
  desk: {
    // a desk (`desks`) names its connector in `connector`; the connector's settings are the desk's own fields
    profiles: (c) => c.desks, list: 'desks',
    chosen: (d) => ({ connector: d.connector, settings: d }),
    field: 'connector',
    noun: 'desk connector',
    settingsError: (d, c, issues) => `desks[${d.id}] (${c.id}): ${issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    halves: () => ['connector', 'webhook', 'sandbox'],
    refusing: (d, _c, why) => {
      const refuse = refusal(d, why, 'desk write-back is made by the desk-writeback function (connectors/desk-registry.ts)', 'desk');
      return { writeBack: async () => refuse() };
    },
    refusingInbound: (d, _c, why) => {
      const refuse = refusal(d, why, 'desk events are verified and read by the webhook function (connectors/webhook-registry.ts)', 'desk');
      return { verifyEvent: refuse, readEvents: refuse };
    },
    compose: (outbound, inbound) => ({ ...outbound, ...inbound }),
    // the desk is the vendor's own system, not a partner: what it says is read by its mapping (zod), no partner guard
    guard: (connector) => connector,
  },
};

export const KIND_NAMES = Object.keys(KINDS) as ConnectorKind[];

/** The connector a settings object names in `key` (anything, for the message when it is not a known one). */
const namedIn = (settings: unknown, key = 'connector'): unknown => (typeof settings === 'object' && settings !== null && key in settings ? (settings as Record<string, unknown>)[key] : undefined);

/** The connector's settings from a partner profile, parsed by its schema; a ConfigError names the failing fields. */
export function settingsOf<K extends ConnectorKind, S>(descriptor: ConnectorDescriptor<K, S>, profile: ProfileOf<K>): S {
  const spec: KindSpec<K> = KINDS[descriptor.kind];
  const r = descriptor.settings.safeParse(spec.chosen(profile)?.settings);
  if (!r.success) throw new ConfigError(spec.settingsError(profile, descriptor, r.error.issues));
  return r.data;
}

export function halvesOf<K extends ConnectorKind>(descriptor: ConnectorDescriptor<K>): readonly Half[] {
  const spec: KindSpec<K> = KINDS[descriptor.kind];
  return spec.halves(descriptor);
}

/** The connector of `descriptor`: its partner calls from `outbound` (the HTTP half, or a refusal), its webhooks from `inbound`. */
export function composeConnector<K extends ConnectorKind>(descriptor: ConnectorDescriptor<K>, outbound: OutboundPort<K>, inbound: InboundPorts[K]): PortOf<K> {
  const spec: KindSpec<K> = KINDS[descriptor.kind];
  return spec.compose(outbound, inbound);
}
