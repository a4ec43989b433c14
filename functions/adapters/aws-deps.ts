/** Wires the real adapters once per Lambda container, from validated environment. */
import { ulid } from 'ulid';
import type { HubConfig } from '../../core/config';
import type { HubDeps } from '../../core/deps';
import type { ConnectorRegistry } from '../../core/ports';
import { systemClock } from '../../core/ports';
import { awsClients } from './clients';
import { loadHubConfig, requiredEnv } from './config-source';
import { DynamoEscalationStore } from './dynamo-store';
import { EventBridgeBus } from './eventbridge-bus';
import { hubLogger } from './logger';
import { powertoolsMetrics } from './metrics';
import { awsSecretReader, resolveSecretEnv, withheldConnectors, withheldSecrets } from './secrets';
import { SqsWorkQueue } from './sqs-queue';

export const newEscalationId = () => `esc_${ulid()}`;

let deps: Promise<HubDeps> | undefined;
/**
 * @param connectors builds the connector registry, for the functions that call partners; the others pass
 *   nothing, so that their bundles carry no connector (and they could not call a partner if they tried).
 */
export function awsDeps(connectors?: (config: HubConfig) => ConnectorRegistry): Promise<HubDeps> {
  return (deps ??= (async () => {
    // `${NAME}` references in the configuration resolve from Secrets Manager (HUB_SECRET_ARNS)
    const secretEnv = await resolveSecretEnv(process.env, awsSecretReader());
    const config = loadHubConfig({ ...process.env, ...secretEnv });
    const { db, sqs, events } = awsClients();
    return {
      config,
      store: new DynamoEscalationStore(db, requiredEnv('TABLE_NAME')),
      bus: new EventBridgeBus(events, requiredEnv('BUS_NAME')),
      queue: new SqsWorkQueue(sqs, JSON.parse(requiredEnv('QUEUE_URLS')) as Record<string, string>),
      clock: systemClock,
      connectors: connectors && withheldSecrets(process.env).length === 0 ? connectors(config) : withheldConnectors(),
      newId: newEscalationId,
      random: Math.random,
      log: hubLogger(),
      metrics: powertoolsMetrics(),
    };
  })());
}
