/**
 * Wires the real adapters once per Lambda container, from validated environment, with only the parts the
 * function uses: each function names the bus, the work queues and the connectors it needs, so its bundle
 * imports only those SDK clients and libraries; of those it gets what its access profile grants
 * (topology/access.ts, through grantedDeps in ./grants.ts, as the local runtime does). A part a function was
 * not given or not granted refuses to work, loudly, like a withheld connector.
 */
import { ulid } from 'ulid';
import { configReferences, parseHubConfig, type HubConfig } from '../../core/config';
import type { HubDeps } from '../../core/deps';
import { ConfigError } from '../../core/errors';
import type { ConnectorRegistry, EventBus, WorkQueue } from '../../core/ports';
import { systemClock } from '../../core/ports';
import { ACCESS, type ConnectorSet } from '../../topology/access';
import type { FunctionName } from '../../topology/topology';
import { dynamoDocumentClient } from './clients';
import { readRawHubConfig, requiredEnv } from './config-source';
import { DynamoEscalationStore } from './dynamo-store';
import { grantedDeps } from './grants';
import { hubLogger } from './logger';
import { powertoolsMetrics } from './metrics';
import { awsSecretReader, resolveSecretEnv, secretsWithheld } from './secrets';

export const newEscalationId = () => `esc_${ulid()}`;

export interface AwsParts {
  /**
   * Builds the connector registry, for the functions that call partners or verify their webhooks; the
   * others pass nothing, so that their bundles carry no connector (and they could not call a partner if they tried).
   * Its `connectorSet` must be the one topology/access.ts grants the function (the local runtime builds that set).
   */
  connectors?: (((config: HubConfig) => ConnectorRegistry) & { connectorSet: ConnectorSet }) | undefined;
  /** The event bus, for the functions that publish (`putEvents`); e.g. `eventBridgeBus`. */
  bus?: (() => EventBus) | undefined;
  /** The work queues, for the functions that send to queues (`sendTo`); e.g. `sqsWorkQueue`. */
  queue?: (() => WorkQueue) | undefined;
}

/** HUB_PUBLIC_URL (only the functions that hand it to partners get it, topology/access.ts): an http(s) URL, or a loud failure. */
export function publicUrlFromEnv(env: Record<string, string | undefined>): string | undefined {
  const v = env.HUB_PUBLIC_URL;
  if (v === undefined || v === '') return undefined;
  let url: URL;
  try { url = new URL(v); } catch { throw new ConfigError(`HUB_PUBLIC_URL is not a URL: ${v}`); }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError(`HUB_PUBLIC_URL must be an http(s) URL: ${v}`);
  return v.replace(/\/+$/, '');
}

let wired: { fn: FunctionName; parts: AwsParts; deps: Promise<HubDeps> } | undefined;

/**
 * The deps of function `fn` (its name in topology/topology.ts), built once per container: what its access
 * profile grants, from `parts` (grantedDeps). A later call must ask for the same function and parts: one
 * asking for others would get deps without them, so it is refused rather than answered the first call's.
 */
export function hubDeps(fn: FunctionName, parts: AwsParts = {}): Promise<HubDeps> {
  if (wired) {
    const first = wired;
    const differ = (['connectors', 'bus', 'queue'] as const).filter((k) => first.parts[k] !== parts[k]);
    if (first.fn === fn && differ.length === 0) return first.deps;
    const asked = first.fn !== fn ? `function ${fn}` : `other parts (${differ.join(', ')})`;
    return Promise.reject(new ConfigError(`hubDeps was wired for ${first.fn}; a later call asks for ${asked}, which the deps it built do not have`));
  }
  const deps = (async () => {
    // `${NAME}` references in the configuration resolve from Secrets Manager (HUB_SECRET_PREFIX)
    const raw = readRawHubConfig(process.env);
    const secretEnv = await resolveSecretEnv(process.env, awsSecretReader(), configReferences(raw));
    const config = parseHubConfig(raw, { ...process.env, ...secretEnv });
    const publicUrl = publicUrlFromEnv(process.env);
    const connectors = parts.connectors;
    return grantedDeps(fn, ACCESS[fn], {
      config,
      clock: systemClock,
      newId: newEscalationId,
      random: Math.random,
      log: hubLogger(),
      metrics: powertoolsMetrics(),
    }, {
      // IAM limits the table actions to the profile's
      store: () => new DynamoEscalationStore(dynamoDocumentClient(), requiredEnv('TABLE_NAME')),
      bus: parts.bus,
      queue: parts.queue,
      connectors: connectors && !secretsWithheld(process.env) ? (set) => {
        if (connectors.connectorSet !== set) throw new ConfigError(`${fn} builds the ${connectors.connectorSet} connectors, but topology/access.ts grants it ${set}`);
        return connectors(config);
      } : undefined,
      publicUrl: () => publicUrl,
    });
  })();
  wired = { fn, parts, deps };
  return deps;
}
