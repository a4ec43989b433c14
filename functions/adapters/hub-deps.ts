/**
 * Wires the real adapters once per Lambda container, from validated environment, with only the parts the
 * function uses: each function names the bus, the work queues and the connectors it needs (as granted in
 * topology/access.ts), so its bundle imports only those SDK clients and libraries. A part a function was not
 * given refuses to work, loudly, like a withheld connector.
 */
import { ulid } from 'ulid';
import type { HubConfig } from '../../core/config';
import type { HubDeps } from '../../core/deps';
import { ConfigError } from '../../core/errors';
import type { ConnectorRegistry, EventBus, WorkQueue } from '../../core/ports';
import { systemClock } from '../../core/ports';
import { dynamoDocumentClient } from './clients';
import { loadHubConfig, requiredEnv } from './config-source';
import { DynamoEscalationStore } from './dynamo-store';
import { hubLogger } from './logger';
import { powertoolsMetrics } from './metrics';
import { awsSecretReader, resolveSecretEnv, withheldConnectors, withheldSecrets } from './secrets';

export const newEscalationId = () => `esc_${ulid()}`;

export interface AwsParts {
  /**
   * Builds the connector registry, for the functions that call partners or verify their webhooks; the
   * others pass nothing, so that their bundles carry no connector (and they could not call a partner if they tried).
   */
  connectors?: ((config: HubConfig) => ConnectorRegistry) | undefined;
  /** The event bus, for the functions that publish (`putEvents`); e.g. `eventBridgeBus`. */
  bus?: (() => EventBus) | undefined;
  /** The work queues, for the functions that send to queues (`sendTo`); e.g. `sqsWorkQueue`. */
  queue?: (() => WorkQueue) | undefined;
}

const functionName = () => process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'this function';

/** The bus of a function that does not publish: publishing is a deployment error (topology/access.ts). */
export const noBus = (): EventBus => ({
  async publish(events) {
    if (events.length) throw new ConfigError(`${functionName()} was deployed without an event bus, so it cannot publish ${events[0]!.detailType} (topology/access.ts)`);
  },
});

/** The queues of a function that sends to none: sending is a deployment error (topology/access.ts). */
export const noQueue = (): WorkQueue => ({
  async send(m) {
    throw new ConfigError(`${functionName()} was deployed without work queues, so it cannot send to ${m.queue} (topology/access.ts)`);
  },
});

/** HUB_PUBLIC_URL (only the functions that hand it to partners get it, topology/access.ts): an http(s) URL, or a loud failure. */
export function publicUrlFromEnv(env: Record<string, string | undefined>): string | undefined {
  const v = env.HUB_PUBLIC_URL;
  if (v === undefined || v === '') return undefined;
  let url: URL;
  try { url = new URL(v); } catch { throw new ConfigError(`HUB_PUBLIC_URL is not a URL: ${v}`); }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError(`HUB_PUBLIC_URL must be an http(s) URL: ${v}`);
  return v.replace(/\/+$/, '');
}

let deps: Promise<HubDeps> | undefined;
export function hubDeps(parts: AwsParts = {}): Promise<HubDeps> {
  return (deps ??= (async () => {
    // `${NAME}` references in the configuration resolve from Secrets Manager (HUB_SECRET_ARNS)
    const secretEnv = await resolveSecretEnv(process.env, awsSecretReader());
    const config = loadHubConfig({ ...process.env, ...secretEnv });
    return {
      config,
      store: new DynamoEscalationStore(dynamoDocumentClient(), requiredEnv('TABLE_NAME')),
      bus: (parts.bus ?? noBus)(),
      queue: (parts.queue ?? noQueue)(),
      clock: systemClock,
      connectors: parts.connectors && withheldSecrets(process.env).length === 0 ? parts.connectors(config) : withheldConnectors(),
      newId: newEscalationId,
      random: Math.random,
      log: hubLogger(),
      metrics: powertoolsMetrics(),
      publicUrl: publicUrlFromEnv(process.env),
    };
  })());
}
