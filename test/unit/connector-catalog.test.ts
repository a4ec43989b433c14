/**
 * The one list of connectors (connectors/catalog.ts) and what is derived from it: the generated tables
 * (`npm run connectors`), every connector's halves, and the table of connectors in docs/connectors.md.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONNECTOR_IDS } from '../../connectors/catalog';
import { COLLABORATION_HALVES } from '../../connectors/generated/collaboration';
import { CATALOG } from '../../connectors/generated/descriptors';
import { DESK_HALVES } from '../../connectors/generated/desk';
import { SANDBOX_HALVES } from '../../connectors/generated/sandbox';
import { SERVICE_HEALTH_HALVES } from '../../connectors/generated/service-health';
import { TICKETING_HALVES } from '../../connectors/generated/ticketing';
import { DESK_WEBHOOK_HALVES } from '../../connectors/generated/desk-webhook';
import { WEBHOOK_HALVES } from '../../connectors/generated/webhook';
import { halfIn } from '../../connectors/halves';
import { halvesOf, type ConnectorKind, type Half } from '../../connectors/kinds';
import { connectorTable, DOCS, docsWithTable, generatedConnectorFiles } from '../../scripts/generate-connectors';

const ROOT = join(__dirname, '..', '..');

it('connectors/generated/ is what `npm run connectors` writes from the catalog', () => {
  for (const [name, text] of generatedConnectorFiles()) {
    expect(`${name}: ${readFileSync(join(ROOT, 'connectors', 'generated', `${name}.ts`), 'utf8')}`).toBe(`${name}: ${text}`);
  }
});

it('lists every connector of the catalog, in its order, each from its own folder', () => {
  expect(CATALOG.map((d) => d.id)).toEqual([...CONNECTOR_IDS]);
});

it('a half file that does not export exactly one half of its own connector is refused (npm run connectors)', () => {
  const [genericRest, serviceNow] = CATALOG;
  const generic = TICKETING_HALVES['generic-rest'];
  expect(halfIn({ genericRestConnector: generic, other: 1 }, genericRest!, 'connector', 'ticketing.ts')).toBe(generic);
  expect(() => halfIn({}, genericRest!, 'connector', 'ticketing.ts')).toThrow(/generic-rest\/ticketing.ts must export exactly one connector half.*found 0/);
  expect(() => halfIn({ a: generic, b: TICKETING_HALVES.servicenow }, genericRest!, 'connector', 'ticketing.ts')).toThrow(/found 2/);
  // made from another connector's descriptor
  expect(() => halfIn({ a: generic }, serviceNow!, 'connector', 'ticketing.ts')).toThrow(/servicenow\/ticketing.ts must export/);
  // an inbound half where the HTTP half belongs
  expect(() => halfIn({ a: WEBHOOK_HALVES['generic-rest'] }, genericRest!, 'connector', 'ticketing.ts')).toThrow(/found 0/);
});

/** The HTTP halves of each kind. */
const HTTP_HALVES: Record<ConnectorKind, Readonly<Record<string, { descriptor: unknown } | undefined>>> = {
  ticketing: TICKETING_HALVES, collaboration: COLLABORATION_HALVES, serviceHealth: SERVICE_HEALTH_HALVES, desk: DESK_HALVES,
};

describe.each(CATALOG.map((d) => [d.id, d] as const))('%s', (id, d) => {
  const tables: Record<Half, Readonly<Record<string, { descriptor: unknown } | undefined>>> = {
    connector: HTTP_HALVES[d.kind],
    // a desk's inbound half is listed apart from the partners' (mail-inbound carries the partners' alone)
    webhook: d.kind === 'desk' ? DESK_WEBHOOK_HALVES : WEBHOOK_HALVES,
    sandbox: SANDBOX_HALVES,
  };

  it.each(['connector', 'webhook', 'sandbox'] as const)('has its %s half if its kind needs one, made from its own descriptor', (half) => {
    if (halvesOf(d).includes(half)) expect(tables[half][id]?.descriptor).toBe(d);
    else expect(tables[half][id]).toBeUndefined();
  });

  it('is listed in no table of another kind', () => {
    for (const [kind, table] of Object.entries(HTTP_HALVES)) if (kind !== d.kind) expect(table[id]).toBeUndefined();
    expect((d.kind === 'desk' ? WEBHOOK_HALVES : DESK_WEBHOOK_HALVES)[id]).toBeUndefined();
  });
});

it('docs/connectors.md shows the table of connectors of the catalog (ids, kinds, summaries)', () => {
  const docs = readFileSync(DOCS, 'utf8');
  expect(docs).toBe(docsWithTable(docs));
  expect(docs).toContain(connectorTable(CATALOG));
});
