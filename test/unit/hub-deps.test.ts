/**
 * The parts a function was not given or not granted (functions/adapters/grants.ts, used by hub-deps.ts in AWS
 * and local/hub.ts) refuse loudly instead of calling AWS.
 */
import { buildWebhookRegistry } from '../../connectors/webhook-registry';
import { hubDeps } from '../../functions/adapters/hub-deps';
import { grantedDeps, noBus, noQueue, onlyQueues } from '../../functions/adapters/grants';
import { DynamoEscalationStore } from '../../functions/adapters/dynamo-store';
import { ConfigError } from '../../core/errors';
import { hubEvent } from '../../core/events';
import { silentLog } from '../../core/deps';
import { systemClock, type EscalationStore, type EventBus, type WorkQueue } from '../../core/ports';
import { ACCESS } from '../../topology/access';
import { testConfig } from '../support/fixtures';

describe('hub-deps parts a function was deployed without', () => {
  it('a function without the bus publishes nothing, and names the event it was asked to publish', async () => {
    await expect(noBus('api').publish([])).resolves.toBeUndefined();
    const event = hubEvent('CommentAdded', { version: 1, escalationId: 'esc_1', partnerId: 'acme', caseId: 'CASE-1' });
    await expect(noBus('api').publish([event])).rejects.toThrow(ConfigError);
    await expect(noBus('api').publish([event])).rejects.toThrow(/without an event bus, so it cannot publish CommentAdded/);
  });

  it('a function without work queues sends nothing', async () => {
    await expect(noQueue('api').send({ queue: 'inbound', body: {} })).rejects.toThrow(/without work queues, so it cannot send to inbound/);
  });
});

/** Runs `work` with the environment a deployed function has (its table, the test configuration), then restores it. */
async function withFunctionEnv(work: () => Promise<void>): Promise<void> {
  const env = { TABLE_NAME: 'hub-table', HUB_CONFIG_JSON: JSON.stringify({ partners: testConfig('http://127.0.0.1:1').partners }) };
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    await work();
  } finally {
    for (const k of Object.keys(env)) if (!(k in saved)) delete process.env[k];
  }
}

it('hubDeps wires the table, the parts named, and refusals for the rest, without calling AWS', async () => {
  await withFunctionEnv(async () => {
    const sent: unknown[] = [];
    const queue: WorkQueue = { send: async (m) => { sent.push(m); } };
    const parts = { connectors: buildWebhookRegistry, queue: () => queue };
    const deps = await hubDeps('webhook', parts);
    expect(deps.store).toBeInstanceOf(DynamoEscalationStore);
    expect(deps.queue).toBe(queue);
    await expect(deps.bus.publish([hubEvent('CommentAdded', { version: 1, escalationId: 'esc_1', partnerId: 'acme-cloud', caseId: 'CASE-1' })])).rejects.toThrow(ConfigError);
    expect(deps.connectors.ticketing('acme-cloud')).toBeDefined();
    expect(deps.newId()).toMatch(/^esc_[0-9A-Z]{26}$/);

    // once per container: the same function and parts get the same deps, others are refused, not ignored
    await expect(hubDeps('webhook', parts)).resolves.toBe(deps);
    await expect(hubDeps('webhook', { ...parts, bus: () => ({ publish: async () => {} }) })).rejects.toThrow('hubDeps was wired for webhook; a later call asks for other parts (bus)');
    await expect(hubDeps('webhook', { connectors: parts.connectors })).rejects.toThrow(/other parts \(queue\)/);
    await expect(hubDeps('api', parts)).rejects.toThrow(/a later call asks for function api/);
  });
});

it('hubDeps refuses to start a function with connectors other than the set its profile grants', async () => {
  await withFunctionEnv(async () => {
    let deps: typeof hubDeps | undefined;
    // a fresh module: hubDeps wires once per container, and the test above wired this one
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    jest.isolateModules(() => { deps = (require('../../functions/adapters/hub-deps') as typeof import('../../functions/adapters/hub-deps')).hubDeps; });
    await expect(deps!('partner-worker', { connectors: buildWebhookRegistry })).rejects.toThrow('partner-worker builds the webhooks connectors, but topology/access.ts grants it partner-calls');
  });
});

describe('grantedDeps: what a profile does not grant refuses', () => {
  const given = { config: testConfig('http://127.0.0.1:1'), clock: systemClock, newId: () => 'esc_1', random: () => 0.5, log: silentLog };
  const bus: EventBus = { publish: async () => {} };
  const queue: WorkQueue = { send: async () => {} };
  const connectors = buildWebhookRegistry(given.config);
  const store = {} as EscalationStore;
  const built: string[] = [];
  const parts = { store: () => store, bus: () => bus, queue: () => queue, connectors: (set: string) => { built.push(set); return connectors; }, publicUrl: () => 'https://hub.example' };
  const event = hubEvent('CommentAdded', { version: 1, escalationId: 'esc_1', partnerId: 'acme-cloud', caseId: 'CASE-1' });

  it('hands on every part its profile grants, and the connectors of its set', () => {
    built.length = 0;
    const deps = grantedDeps('meeting-subscriptions', { ...ACCESS['meeting-subscriptions'], putEvents: true, sendTo: 'inbound' }, given, parts);
    expect([deps.store, deps.bus, deps.queue, deps.connectors, deps.publicUrl]).toEqual([store, bus, queue, connectors, 'https://hub.example']);
    expect(built).toEqual(['meetings']);
  });

  it('a profile that reads partner secrets but names no set of connectors gets none (the notifier)', () => {
    built.length = 0;
    const deps = grantedDeps('notifier', ACCESS.notifier, given, parts);
    expect(() => deps.connectors.ticketing('acme-cloud')).toThrow(ConfigError);
    expect(built).toEqual([]);
  });

  it('refuses, naming the function, what it does not grant', async () => {
    const tables: unknown[] = [];
    const deps = grantedDeps('admin', ACCESS.admin, given, { ...parts, store: (t) => { tables.push(t); return store; } });
    expect(tables).toEqual([['dynamodb:GetItem']]);
    await expect(deps.bus.publish([event])).rejects.toThrow('admin was deployed without an event bus');
    await expect(deps.queue.send({ queue: 'inbound', body: {} })).rejects.toThrow('admin was deployed without work queues');
    expect(() => deps.connectors.ticketing('acme-cloud')).toThrow('admin was deployed without access to partner secrets');
    // the public URL only where a partner is handed it, or `hub doctor` prints it (admin)
    expect(deps.publicUrl).toBe('https://hub.example');
    expect(grantedDeps('sweep', ACCESS.sweep, given, parts).publicUrl).toBeUndefined();
  });

  it('a part the runtime does not give is refused even where granted', async () => {
    const deps = grantedDeps('api', ACCESS.api, given, { store: () => store });
    await expect(deps.bus.publish([event])).rejects.toThrow('api was deployed without an event bus');
    expect(() => deps.connectors.collaboration('acme-cloud')).toThrow(ConfigError);
  });

  it('onlyQueues refuses the queues not named', async () => {
    const sent: string[] = [];
    const only = onlyQueues('webhook', { send: async (m) => { sent.push(m.queue); } }, ['inbound']);
    await only.send({ queue: 'inbound', body: {} });
    await expect(only.send({ queue: 'comments', body: {} })).rejects.toThrow('webhook was deployed without queue comments');
    expect(sent).toEqual(['inbound']);
  });
});
