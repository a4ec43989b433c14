/**
 * The commands the README and docs show can be run as written: the files they name are shipped, and the
 * local addresses they show are the ones the committed configuration uses.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const REPO = join(__dirname, '..', '..');
const DOCS = ['README.md', ...readdirSync(join(REPO, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const text = (f: string) => readFileSync(join(REPO, f), 'utf8');

describe('README and docs', () => {
  it.each(DOCS)('%s: every --findings-file and --file names a shipped file', (doc) => {
    const named = [...text(doc).matchAll(/--(?:findings-)?file[ =]([\w./-]+)/g)].map((m) => m[1]!).filter((f) => f !== '-');
    for (const f of named) expect({ file: f, shipped: existsSync(join(REPO, f)) }).toEqual({ file: f, shipped: true });
  });

  it.each(DOCS)('%s: every sandbox address its commands and sessions show is one the committed configuration uses', (doc) => {
    const config = text('hub.config.json');
    const used = new Set([...config.matchAll(/127\.0\.0\.1:(\d+)/g)].map((m) => m[1]));
    // what one runs and sees (sh and console blocks), not example configurations; 3000 is the hub itself,
    // 3098 the docs' example of a hub that is not running
    const sessions = [...text(doc).matchAll(/```(?:sh|console|bash)\n([\s\S]*?)```/g)].map((m) => m[1]!).join('\n');
    const shown = [...sessions.matchAll(/127\.0\.0\.1:(\d+)/g)].map((m) => m[1]!).filter((p) => p !== '3000' && p !== '3098');
    for (const port of shown) expect({ port, used: used.has(port) }).toEqual({ port, used: true });
  });
});
