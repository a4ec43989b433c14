import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CATALOG } from '../../connectors/generated/descriptors';
import { KINDS, PARTNER_KINDS } from '../../connectors/kinds';
import { buildRegistry } from '../../connectors/registry';
import { parseHubConfig, type DeskProfile, type PartnerProfile } from '../../core/config';

const DIR = join(__dirname, '..', '..', 'examples');
const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));

/** Every `${NAME}` gets a value shaped like what it stands for, as an operator's environment would. */
function fakeEnv(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [, name] of text.matchAll(/\$\{([A-Z0-9_]+)\}/g)) {
    env[name!] = /WEBHOOK_SECRET$/.test(name!) && /ACME|CONTOSO/.test(name!) ? 'whsec_' + Buffer.from(name!).toString('base64')
      : /EMAIL$/.test(name!) ? 'ops@vendor.example' : `value-of-${name}`;
  }
  return env;
}

describe('examples/: one profile per connector for real endpoints', () => {
  /** The connectors each file's partners name, of every kind (`connector`, `collaboration.connector`, …). */
  const named = (file: string) => {
    const config = JSON.parse(readFileSync(join(DIR, file), 'utf8')) as { partners: PartnerProfile[]; desks?: DeskProfile[] };
    return [
      ...config.partners.flatMap((p) => PARTNER_KINDS.map((kind) => KINDS[kind].chosen(p)?.connector)),
      ...(config.desks ?? []).map((d) => KINDS.desk.chosen(d)?.connector),
    ];
  };

  it('covers every connector of the catalog, and nothing else', () => {
    expect([...new Set(files.flatMap(named))].sort()).toEqual(CATALOG.map((d) => d.id).sort());
  });

  it.each(CATALOG.map((d) => [d.id, d.example] as const))('%s: its example, %s, uses it', (id, example) => {
    expect(files).toContain(example);
    expect(named(example)).toContain(id);
  });

  it.each(files)('%s validates, keeps secrets in ${ENV} references, and builds its connectors', (file) => {
    const text = readFileSync(join(DIR, file), 'utf8');
    expect(text).not.toMatch(/"(token|password|apiToken|clientSecret|webhookSecret)":\s*"(?!\$\{)/);
    const config = parseHubConfig(JSON.parse(text), fakeEnv(text));
    expect(() => buildRegistry(config)).not.toThrow();
    for (const p of [...config.partners, ...config.desks]) expect(p.sandbox).toBe(false);
  });
});
