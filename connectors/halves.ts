/**
 * A connector's halves, each in its own file so that each Lambda bundle carries only the halves it uses:
 * `<id>/<kind>.ts` the HTTP half (the port's partner calls: `OutboundPort`), `<id>/webhook.ts` the inbound
 * half (verify and parse only, no HTTP client), `<id>/sandbox.ts` the sandbox (local runtime and tests only).
 * Neither of the first two imports the other: the registries compose them (assemble-registry.ts).
 * Each file exports its half made by the helper below from the connector's descriptor, so the factory
 * receives the settings parsed by the descriptor's schema, typed by it. The registries find a half by
 * what made it (`halfIn`), whatever its export name, and refuse a file without exactly one.
 */
import { systemClock, type Clock, type MailTransport } from '../core/ports';
import { settingsOf, type ConnectorDescriptor, type ConnectorKind, type Half, type InboundPorts, type OutboundPort, type ProfileOf } from './kinds';
import type { Sandbox, SandboxFactory, SandboxStart } from './sandbox';

interface Made<H extends Half, K extends ConnectorKind> { readonly half: H; readonly descriptor: ConnectorDescriptor<K> }

/** The HTTP half: builds the partner calls of a partner's connector (with optional `options`, for tests: a clock). */
export type HttpHalf<K extends ConnectorKind, O = never> = ((profile: ProfileOf<K>, options?: O) => OutboundPort<K>) & Made<'connector', K>;
/**
 * What the registries hand every ticketing HTTP half: the mail transport the `email` connector sends
 * through (SES in AWS, SMTP locally); the other connectors ignore it. A connector's own options extend it.
 */
export interface TicketingHalfOptions { mail?: MailTransport | undefined }
/** A ticketing HTTP half as the registries call it. */
export type TicketingHttpHalf = HttpHalf<'ticketing', TicketingHalfOptions>;
/** The inbound half: verifies and parses the partner's webhooks, with no HTTP client. */
export type WebhookHalf<K extends ConnectorKind> = ((profile: ProfileOf<K>, clock?: Clock) => InboundPorts[K]) & Made<'webhook', K>;
/** The sandbox: started on the port of `listensOn(profile)` (the URL the connector is configured to call). */
export type SandboxHalf<K extends ConnectorKind> = SandboxFactory<ProfileOf<K>> & Made<'sandbox', K> & { listensOn(profile: ProfileOf<K>): string };

/** A half of any kind (what a generated table of inbound halves or sandboxes holds): a union by kind. */
export type AnyWebhookHalf = { [K in ConnectorKind]: WebhookHalf<K> }[ConnectorKind];
export type AnySandboxHalf = { [K in ConnectorKind]: SandboxHalf<K> }[ConnectorKind];

const made = <F extends object, H extends Half, K extends ConnectorKind>(fn: F, half: H, descriptor: ConnectorDescriptor<K>): F & Made<H, K> => Object.assign(fn, { half, descriptor });

export function defineHttpHalf<K extends ConnectorKind, S, O = unknown>(
  descriptor: ConnectorDescriptor<K, S>,
  factory: (settings: S, profile: ProfileOf<K>, options?: O) => OutboundPort<K>,
): HttpHalf<K, O> {
  return made((profile: ProfileOf<K>, options?: O) => factory(settingsOf(descriptor, profile), profile, options), 'connector', descriptor);
}

export function defineWebhookHalf<K extends ConnectorKind, S>(
  descriptor: ConnectorDescriptor<K, S>,
  factory: (settings: S, profile: ProfileOf<K>, clock: Clock) => InboundPorts[K],
): WebhookHalf<K> {
  return made((profile: ProfileOf<K>, clock: Clock = systemClock) => factory(settingsOf(descriptor, profile), profile, clock), 'webhook', descriptor);
}

/** `listensOn`: the URL the connector calls, from its settings (default: the profile's `baseUrl`). */
export function defineSandbox<K extends ConnectorKind, S>(
  descriptor: ConnectorDescriptor<K, S>,
  start: (settings: S, profile: ProfileOf<K>, opts: SandboxStart) => Promise<Sandbox>,
  listensOn: (settings: S, profile: ProfileOf<K>) => string = (_s, profile) => profile.baseUrl,
): SandboxHalf<K> {
  const sandbox = made((profile: ProfileOf<K>, opts: SandboxStart) => start(settingsOf(descriptor, profile), profile, opts), 'sandbox', descriptor);
  return Object.assign(sandbox, { listensOn: (profile: ProfileOf<K>) => listensOn(settingsOf(descriptor, profile), profile) });
}

interface Halves<K extends ConnectorKind> { connector: HttpHalf<K>; webhook: WebhookHalf<K>; sandbox: SandboxHalf<K> }

const isMade = (v: unknown): v is Made<Half, ConnectorKind> =>
  typeof v === 'function' && 'half' in v && typeof v.half === 'string' && 'descriptor' in v;

/**
 * The `half` of `descriptor` among a module's exports (a file of `connectors/<id>/`): there must be exactly
 * one, made from this very descriptor. `file` names the module in the error.
 */
export function halfIn<K extends ConnectorKind, H extends Half>(exports: unknown, descriptor: ConnectorDescriptor<K>, half: H, file: string): Halves<K>[H] {
  const found = Object.values(exports ?? {}).filter((v) => isMade(v) && v.half === half);
  const [only] = found;
  if (found.length !== 1 || !isMade(only) || only.descriptor !== descriptor) {
    throw new Error(`connectors/${descriptor.id}/${file} must export exactly one ${half} half made with define…(the connector's descriptor); found ${found.length}`);
  }
  return only as Halves<K>[H];
}
