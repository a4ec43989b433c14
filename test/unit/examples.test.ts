import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildRegistry } from '../../connectors/registry';
import { parseHubConfig } from '../../core/config';

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
  it('covers every connector', () => {
    const connectors = new Set(files.flatMap((f) => (JSON.parse(readFileSync(join(DIR, f), 'utf8')) as { partners: { connector: string; collaboration?: { connector: string } }[] })
      .partners.flatMap((p) => [p.connector, p.collaboration?.connector ?? []].flat())));
    expect([...connectors].sort()).toEqual(['generic-rest', 'jira', 'manual', 'servicenow', 'teams', 'zendesk', 'zoom']);
  });

  it.each(files)('%s validates, keeps secrets in ${ENV} references, and builds its connectors', (file) => {
    const text = readFileSync(join(DIR, file), 'utf8');
    expect(text).not.toMatch(/"(token|password|apiToken|clientSecret|webhookSecret)":\s*"(?!\$\{)/);
    const config = parseHubConfig(JSON.parse(text), fakeEnv(text));
    expect(() => buildRegistry(config)).not.toThrow();
    for (const p of config.partners) expect(p.sandbox).toBe(false);
  });
});
