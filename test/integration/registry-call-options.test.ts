/**
 * What a use case hands a partner call reaches the connector through every wrapper the registries put
 * around it (the partner's circuit breaker, the partner-input guard): a comment's idempotency key arrives
 * as generic-rest's `Idempotency-Key`, so a comment sent twice (a retry after a lost answer) is one
 * comment at the partner. Before the wrappers handed on every argument, the key was dropped on the way.
 */
import { startGenericSandbox, type GenericSandbox } from '../../connectors/generic-rest/sandbox';
import { buildRegistry } from '../../connectors/registry';
import { buildTicketingRegistry } from '../../connectors/ticketing-registry';
import type { ConnectorRegistry } from '../../core/ports';
import { testConfig } from '../support/fixtures';

let sandbox: GenericSandbox;
beforeAll(async () => {
  sandbox = await startGenericSandbox({ token: 'partner-token', webhookSecret: testConfig('http://127.0.0.1:1').partners[0]!.webhookSecret! });
});
afterAll(() => sandbox.close());

describe.each<[string, (c: ReturnType<typeof testConfig>) => ConnectorRegistry]>([
  ['the partner-calling functions\' registry', buildTicketingRegistry],
  ['the local runtime\'s full registry', buildRegistry],
])('%s', (_name, build) => {
  it('hands a comment\'s idempotency key to the partner: sent twice, it is one comment', async () => {
    const connector = build(testConfig(sandbox.baseUrl)).ticketing('acme-cloud')!;
    const ticket = await connector.openIncident({
      externalRef: `hub:esc_${_name.length}`, title: 'Audio drops', description: 'relay closes sessions', severity: 'high', caseId: 'CASE-1', customerId: 'acme',
    });
    await connector.addComment(ticket.id, 'Repro on firmware 4.1.0', { idempotencyKey: 'esc_1#c_1' });
    await connector.addComment(ticket.id, 'Repro on firmware 4.1.0', { idempotencyKey: 'esc_1#c_1' });
    const keys = sandbox.calls.filter((c) => c.path.endsWith('/comments') && c.path.includes(ticket.id)).map((c) => c.idempotencyKey);
    expect(keys).toEqual(['esc_1#c_1', 'esc_1#c_1']);
    expect(sandbox.incidents.get(ticket.id)!.comments).toEqual(['Repro on firmware 4.1.0']);
  });
});
