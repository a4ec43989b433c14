/* eslint-disable no-console -- a command-line tool: it reports what it wrote */
/**
 * `npm run connectors`: writes connectors/generated/ from the one list of connectors
 * (connectors/catalog.ts). For each connector it loads `<id>/descriptor.ts` and the halves its kind needs
 * (`<id>/<kind>.ts`, `<id>/webhook.ts`, `<id>/sandbox.ts`), checks that each exports exactly one half made
 * from that descriptor, and writes one module per table with static imports: the descriptors, the HTTP
 * halves of each kind, the inbound halves (the partners', the desks') and the sandboxes. Static imports keep each Lambda bundle to the
 * halves its registry imports (test/infra/bundle-contents.test.ts) with nothing added for loading them.
 * It also writes the table of connectors in docs/connectors.md (between its `connectors:table` marks).
 * test/unit/connector-catalog.test.ts fails while any of these differs from what this would write.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONNECTOR_IDS } from '../connectors/catalog';
import { halfIn } from '../connectors/halves';
import { halvesOf, KIND_NAMES, type AnyDescriptor } from '../connectors/kinds';

const CONNECTORS = join(__dirname, '..', 'connectors');
const HEADER = '// Written by `npm run connectors` (scripts/generate-connectors.ts) from connectors/catalog.ts: do not edit.\n';

/** The name under which `exports` holds `value`. */
function nameOf(exports: Record<string, unknown>, value: unknown, file: string): string {
  const name = Object.keys(exports).find((k) => exports[k] === value);
  if (!name) throw new Error(`${file}: the value found is not one of its exports`);
  return name;
}

interface Entry { id: string; file: string; name: string }

/** The connectors with their descriptors and halves, checked; throws naming the first file that is wrong. */
export function loadCatalog() {
  const descriptors: (Entry & { descriptor: AnyDescriptor })[] = [];
  const halves: Record<string, Entry[]> = {};
  for (const id of CONNECTOR_IDS) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the file is named by the list, at generation time
    const exports = require(join(CONNECTORS, id, 'descriptor.ts')) as Record<string, unknown>;
    const found = Object.values(exports).filter((v): v is AnyDescriptor => typeof v === 'object' && v !== null && 'kind' in v && 'settings' in v && 'id' in v);
    const [descriptor] = found;
    if (found.length !== 1 || !descriptor || descriptor.id !== id || !KIND_NAMES.includes(descriptor.kind)) {
      throw new Error(`connectors/${id}/descriptor.ts must export exactly one descriptor (defineConnector) with id "${id}" and a known kind`);
    }
    descriptors.push({ id, file: `${id}/descriptor`, name: nameOf(exports, descriptor, `${id}/descriptor.ts`), descriptor });
    for (const half of halvesOf(descriptor)) {
      const name = half === 'connector' ? fileOfKind(descriptor.kind) : half;
      const file = `${id}/${name}`;
      // a desk's inbound half is listed apart from the partners' (generated/desk-webhook.ts)
      const table = half === 'webhook' && descriptor.kind === 'desk' ? 'desk-webhook' : name;
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- as above
      const module = require(join(CONNECTORS, `${file}.ts`)) as Record<string, unknown>;
      (halves[table] ??= []).push({ id, file, name: nameOf(module, halfIn(module, descriptor, half, `${file.split('/')[1]}.ts`), `${file}.ts`) });
    }
  }
  return { descriptors, halves };
}

/** The file of a kind's HTTP half (and of its generated table): the kind's name in kebab case (`service-health.ts`). */
export const fileOfKind = (kind: string) => kind.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** The generated table of each half: its constant and the type of its entries (from connectors/halves.ts). */
const TABLES: Record<string, { constant: string; type: string }> = {
  ticketing: { constant: 'TICKETING_HALVES', type: 'TicketingHttpHalf' },
  collaboration: { constant: 'COLLABORATION_HALVES', type: "HttpHalf<'collaboration'>" },
  'service-health': { constant: 'SERVICE_HEALTH_HALVES', type: "HttpHalf<'serviceHealth'>" },
  desk: { constant: 'DESK_HALVES', type: "HttpHalf<'desk'>" },
  webhook: { constant: 'WEBHOOK_HALVES', type: 'AnyWebhookHalf' },
  // the desks' inbound halves apart from the partners': mail-inbound reads partner mail and carries only those
  'desk-webhook': { constant: 'DESK_WEBHOOK_HALVES', type: "WebhookHalf<'desk'>" },
  sandbox: { constant: 'SANDBOX_HALVES', type: 'AnySandboxHalf' },
};

const imports = (entries: Entry[]) => entries.map((e) => `import { ${e.name} } from '../${e.file}';\n`).join('');
const key = (id: string) => (/^[a-z]+$/.test(id) ? id : `'${id}'`);

/** connectors/generated/<file>.ts → its text. */
export function generatedConnectorFiles(): Map<string, string> {
  const { descriptors, halves } = loadCatalog();
  const files = new Map<string, string>();
  files.set('descriptors', `${HEADER}import type { AnyDescriptor } from '../kinds';\n${imports(descriptors)}
/** Every connector's descriptor, in the order of connectors/catalog.ts. */
export const CATALOG: readonly AnyDescriptor[] = [${descriptors.map((d) => d.name).join(', ')}];
`);
  for (const [table, spec] of Object.entries(TABLES)) {
    const entries = halves[table] ?? [];
    const needsKind = spec.type.includes('ConnectorKind');
    files.set(table, `${HEADER}import type { ${spec.type.split('<')[0]} } from '../halves';\n${needsKind ? "import type { ConnectorKind } from '../kinds';\n" : ''}${imports(entries)}
/** The ${table} halves, by connector id. */
export const ${spec.constant}: Readonly<Record<string, ${spec.type}>> = {
${entries.map((e) => `  ${key(e.id)}: ${e.name},\n`).join('')}};
`);
  }
  return files;
}

/** The table of connectors in docs/connectors.md: id, kind and summary of each, in catalog order. */
export const connectorTable = (catalog: readonly AnyDescriptor[]) =>
  ['| connector | kind | what it is |', '| --- | --- | --- |', ...catalog.map((d) => `| \`${d.id}\` | ${d.kind} | ${d.summary} |`)].join('\n');

export const DOCS = join(__dirname, '..', 'docs', 'connectors.md');
const TABLE_MARKS = /(<!-- connectors:table[^>]*-->\n)[^]*?(<!-- \/connectors:table -->)/;

/** docs/connectors.md with its table of connectors written from the catalog. */
export function docsWithTable(docs: string): string {
  if (!TABLE_MARKS.test(docs)) throw new Error('docs/connectors.md has no <!-- connectors:table --> … <!-- /connectors:table --> block');
  const table = connectorTable(loadCatalog().descriptors.map((d) => d.descriptor));
  return docs.replace(TABLE_MARKS, (_, open: string, close: string) => `${open}${table}\n${close}`);
}

if (require.main === module) {
  for (const [name, text] of generatedConnectorFiles()) {
    writeFileSync(join(CONNECTORS, 'generated', `${name}.ts`), text);
    console.log(`connectors/generated/${name}.ts`);
  }
  writeFileSync(DOCS, docsWithTable(readFileSync(DOCS, 'utf8')));
  console.log('docs/connectors.md (table of connectors)');
}
