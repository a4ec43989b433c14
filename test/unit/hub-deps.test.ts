/** The parts a function was not given (functions/adapters/hub-deps.ts) refuse loudly instead of calling AWS. */
import { buildWebhookRegistry } from '../../connectors/webhook-registry';
import { hubDeps, noBus, noQueue } from '../../functions/adapters/hub-deps';
import { DynamoEscalationStore } from '../../functions/adapters/dynamo-store';
import { ConfigError } from '../../core/errors';
import { hubEvent } from '../../core/events';
import type { WorkQueue } from '../../core/ports';
import { testConfig } from '../support/fixtures';

describe('hub-deps parts a function was deployed without', () => {
  it('a function without the bus publishes nothing, and names the event it was asked to publish', async () => {
    await expect(noBus().publish([])).resolves.toBeUndefined();
    const event = hubEvent('CommentAdded', { version: 1, escalationId: 'esc_1', partnerId: 'acme', caseId: 'CASE-1' });
    await expect(noBus().publish([event])).rejects.toThrow(ConfigError);
    await expect(noBus().publish([event])).rejects.toThrow(/without an event bus, so it cannot publish CommentAdded/);
  });

  it('a function without work queues sends nothing', async () => {
    await expect(noQueue().send({ queue: 'inbound', body: {} })).rejects.toThrow(/without work queues, so it cannot send to inbound/);
  });
});

it('hubDeps wires the table, the parts named, and refusals for the rest, without calling AWS', async () => {
  const config = testConfig('http://127.0.0.1:1');
  const env = { TABLE_NAME: 'hub-table', HUB_CONFIG_JSON: JSON.stringify({ partners: config.partners }) };
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    const sent: unknown[] = [];
    const queue: WorkQueue = { send: async (m) => { sent.push(m); } };
    const deps = await hubDeps({ connectors: buildWebhookRegistry, queue: () => queue });
    expect(deps.store).toBeInstanceOf(DynamoEscalationStore);
    expect(deps.queue).toBe(queue);
    await expect(deps.bus.publish([hubEvent('CommentAdded', { version: 1, escalationId: 'esc_1', partnerId: 'acme-cloud', caseId: 'CASE-1' })])).rejects.toThrow(ConfigError);
    expect(deps.connectors.ticketing('acme-cloud')).toBeDefined();
    expect(deps.newId()).toMatch(/^esc_[0-9A-Z]{26}$/);
  } finally {
    for (const k of Object.keys(env)) if (!(k in saved)) delete process.env[k];
  }
});
