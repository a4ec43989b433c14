/**
 * The partner configuration (`hub.config.json`): schema, `${ENV}` substitution and routing.
 * Pure: the file is read by the caller.
 */
import * as z from 'zod';
import { ConfigError } from './errors';
import { Subscriber } from './notifications';

export const RetrySettings = z.strictObject({
  maxAttempts: z.number().int().min(1).max(50).default(8),
  initialDelayMs: z.number().int().min(1).default(2000),
  maxDelayMs: z.number().int().min(1).default(300000),
});

/** Critical escalations age faster: each threshold is multiplied by its severity's factor. */
export const DEFAULT_SEVERITY_MULTIPLIERS = { critical: 0.25, high: 0.5, medium: 1, low: 2 } as const;

export const Thresholds = z.strictObject({
  ticketWithinMinutes: z.number().positive().default(240),
  partnerUpdateWithinMinutes: z.number().positive().default(1440),
  severityMultipliers: z.strictObject({
    critical: z.number().positive().default(DEFAULT_SEVERITY_MULTIPLIERS.critical),
    high: z.number().positive().default(DEFAULT_SEVERITY_MULTIPLIERS.high),
    medium: z.number().positive().default(DEFAULT_SEVERITY_MULTIPLIERS.medium),
    low: z.number().positive().default(DEFAULT_SEVERITY_MULTIPLIERS.low),
  }).prefault({}),
});

/** Fields of `POST /v1/escalations` that a partner profile may require (`requires`). */
export const REQUIRABLE_FIELDS = ['customerRequest', 'partnerEntitlement'] as const;

export const PartnerProfile = z.looseObject({
  id: z.string().regex(/^[a-z0-9-]+$/, 'use only a-z, 0-9 and -').min(1).max(40),
  name: z.string().min(1).max(120),
  platforms: z.array(z.string().min(1).max(64)),
  connector: z.string().min(1),
  baseUrl: z.url({ protocol: /^https?$/, error: 'must be an http or https URL' }),
  credentials: z.record(z.string(), z.string()).default({}),
  webhookSecret: z.string().min(1).optional(),
  retry: RetrySettings.prefault({}),
  pollIntervalSeconds: z.number().int().min(5).default(300),
  /** How long one partner call may take before it counts as a (transient) timeout. */
  timeoutMs: z.number().int().min(100).max(60_000).default(10_000),
  /** At most this many calls to this partner at once (per process / Lambda container). */
  maxConcurrentCalls: z.number().int().min(1).max(100).default(8),
  /**
   * After `consecutiveFailures` transient failures in a row, calls to this partner fail fast for
   * `halfOpenAfterMs` (then one trial call decides): a partner in trouble is not hammered, and its
   * escalations wait with backoff instead.
   */
  circuitBreaker: z.strictObject({
    consecutiveFailures: z.number().int().min(1).max(100).default(5),
    halfOpenAfterMs: z.number().int().min(10).max(3_600_000).default(30_000),
  }).prefault({}),
  thresholds: Thresholds.prefault({}),
  /** What a referred customer is told: `supportUrl`, what to `quote`, and a `template` with {{placeholders}}. */
  referral: z.strictObject({
    supportUrl: z.url({ protocol: /^https?$/ }).optional(),
    quote: z.string().max(500).optional(),
    template: z.string().min(1).max(4000).optional(),
  }).optional(),
  /** Flags for this partner without these fields are refused (422): it takes no case without them. */
  requires: z.array(z.enum(REQUIRABLE_FIELDS))
    .refine((fields) => new Set(fields).size === fields.length, 'names a field twice').default([]),
  /** Local runtime only: start this connector's sandbox on the port of `baseUrl`. */
  sandbox: z.boolean().default(false),
});
export type PartnerProfile = z.infer<typeof PartnerProfile>;

/**
 * The vendor's own support desk (`desks`): where engineers flag cases and where the hub writes the partner
 * ticket back. Like a partner profile, a desk names its `connector` (a connector of kind `desk`), whose
 * settings are the desk's own fields (its `mapping`, `writeBack`, credentials …, checked by the connector).
 */
export const DeskProfile = z.looseObject({
  id: z.string().regex(/^[a-z0-9-]+$/, 'use only a-z, 0-9 and -').min(1).max(40),
  connector: z.string().min(1),
  baseUrl: z.url({ protocol: /^https?$/, error: 'must be an http or https URL' }),
  credentials: z.record(z.string(), z.string()).default({}),
  webhookSecret: z.string().min(1).optional(),
  /** As a partner's: how long one call to the desk may take, and how many at once. */
  timeoutMs: z.number().int().min(100).max(60_000).default(10_000),
  maxConcurrentCalls: z.number().int().min(1).max(100).default(8),
  /** Local runtime only: start this connector's sandbox on the port of `baseUrl`. */
  sandbox: z.boolean().default(false),
});
export type DeskProfile = z.infer<typeof DeskProfile>;

export const HubConfig = z.strictObject({
  partners: z.array(PartnerProfile).min(1, 'list at least one partner'),
  /** Who hears about escalations: the CRM by signed webhook, management by Teams or e-mail. */
  subscribers: z.array(Subscriber).default([]),
  /** The vendor's own support desks (flags come in, partner ticket numbers go back). */
  desks: z.array(DeskProfile).default([]),
}).superRefine((cfg, ctx) => {
  const deskIds = new Set<string>();
  cfg.desks.forEach((d, i) => {
    if (deskIds.has(d.id)) ctx.addIssue({ code: 'custom', path: ['desks', i, 'id'], message: `desk id "${d.id}" is used twice` });
    deskIds.add(d.id);
  });
  const subscriberIds = new Set<string>();
  cfg.subscribers.forEach((s, i) => {
    if (subscriberIds.has(s.id)) ctx.addIssue({ code: 'custom', path: ['subscribers', i, 'id'], message: `subscriber id "${s.id}" is used twice` });
    subscriberIds.add(s.id);
  });
  const ids = new Map<string, number>();
  const platforms = new Map<string, string>();
  cfg.partners.forEach((p, i) => {
    if (ids.has(p.id)) ctx.addIssue({ code: 'custom', path: ['partners', i, 'id'], message: `partner id "${p.id}" is used twice` });
    ids.set(p.id, i);
    p.platforms.forEach((platform, j) => {
      const owner = platforms.get(platform);
      if (owner !== undefined && owner !== p.id) {
        ctx.addIssue({ code: 'custom', path: ['partners', i, 'platforms', j], message: `platform "${platform}" is already served by partner "${owner}"` });
      }
      platforms.set(platform, p.id);
    });
  });
});
export type HubConfig = z.infer<typeof HubConfig>;

/** What to put in place of an unset variable `name` found at `path` (the default: stop with an error naming it). */
export type OnUnsetVariable = (name: string, path: string) => string;
const refuseUnset: OnUnsetVariable = (name, path) => {
  throw new ConfigError(`${path || 'config'}: environment variable ${name} is not set`);
};

/**
 * Replaces every `${NAME}` in every string by `env[NAME]`; a missing variable is an error naming it, or,
 * with `onUnset`, whatever it answers (`hub doctor` collects every missing name instead of stopping).
 */
export function substituteEnv(value: unknown, env: Record<string, string | undefined>, path = '', onUnset: OnUnsetVariable = refuseUnset): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => env[name] ?? onUnset(name, path));
  }
  if (Array.isArray(value)) return value.map((v, i) => substituteEnv(v, env, `${path}[${i}]`, onUnset));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteEnv(v, env, path ? `${path}.${k}` : k, onUnset)]));
  }
  return value;
}

/** Every `${NAME}` in `value` that `env` does not set, in order, each name once. */
export function unsetVariables(value: unknown, env: Record<string, string | undefined>): string[] {
  const names = new Set<string>();
  substituteEnv(value, env, '', (name) => { names.add(name); return ''; });
  return [...names];
}

/** Every `${NAME}` a configuration references, sorted, each once (in AWS each is the secret `<prefix><NAME>`). */
export const configReferences = (raw: unknown): string[] => unsetVariables(raw, {}).sort();

/** Validates a parsed config file; the error message names each failing field. */
export function parseHubConfig(raw: unknown, env: Record<string, string | undefined>): HubConfig {
  const r = HubConfig.safeParse(substituteEnv(raw, env));
  if (!r.success) {
    const lines = r.error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`);
    throw new ConfigError(`invalid hub configuration:\n  ${lines.join('\n  ')}`);
  }
  return r.data;
}

export const formatPath = (path: PropertyKey[]) =>
  path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`)).join('') || '(root)';

/** Routing: which partner serves a request. An explicit partnerId wins over the platform. */
export function routePartner(cfg: HubConfig, req: { platform?: string | undefined; partnerId?: string | undefined }): PartnerProfile | undefined {
  if (req.partnerId !== undefined) return cfg.partners.find((p) => p.id === req.partnerId);
  return cfg.partners.find((p) => req.platform !== undefined && p.platforms.includes(req.platform));
}
