/**
 * The import table (README, Layout) is enforced by `npm run lint` (eslint.config.mjs, `boundaries`): a
 * crossing import fails it. Each case lints a one-line file placed in a folder, as the real tree is linted.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const REPO = join(__dirname, '..', '..');

/**
 * ESLint loads its (ESM) configuration with a dynamic import, which jest's VM refuses: the cases are linted
 * in one child Node process, with the project's own configuration.
 */
const LINT = `
const { ESLint } = require('eslint');
const cases = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
(async () => {
  const eslint = new ESLint({ cwd: process.cwd() });
  const out = [];
  for (const [file, code] of cases) {
    const [r] = await eslint.lintText(code, { filePath: require('node:path').join(process.cwd(), file) });
    out.push(r.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message));
  }
  process.stdout.write(JSON.stringify(out));
})().catch((e) => { console.error(e); process.exit(1); });`;

const linted = new Map<string, string[]>();
const restricted = (file: string, code: string): string[] => linted.get(`${file}\n${code}`)!;

const CROSSING: [file: string, code: string, reason: string][] = [
  ['core/x.ts', "import '../functions/http';", 'core/ imports nothing outside core/'],
  ['core/use-cases/x.ts', "import '../../connectors/registry';", 'core/ imports nothing outside core/'],
  ['core/x.ts', "import '../topology/topology';", 'core/ imports nothing outside core/'],
  ['core/x.ts', "import axios from 'axios'; export const a = axios;", 'core/ does no I/O'],
  ['core/x.ts', "import { DynamoDBClient } from '@aws-sdk/client-dynamodb'; export const c = DynamoDBClient;", 'core/ does no I/O'],
  ['topology/x.ts', "import '../infra/hub-stack';", 'topology/ is plain data'],
  ['topology/x.ts', "import '../functions/openapi';", 'topology/ is plain data'],
  ['connectors/jira/x.ts', "import '../../functions/http';", 'connectors/ import only core/'],
  ['connectors/x.ts', "import '@aws-sdk/client-sqs';", 'connectors/ speak to partners, not to AWS'],
  ['functions/x.ts', "import '../infra/hub-stack';", 'functions/ import core/, connectors/ and topology/'],
  ['functions/adapters/x.ts', "import '../../local/hub';", 'functions/ import core/, connectors/ and topology/'],
  ['functions/x.ts', "import 'aws-cdk-lib';", 'functions/ run in Lambda'],
  ['infra/x.ts', "import '../functions/api';", 'infra/ builds the stack from topology/ and core/'],
  ['infra/x.ts', "import '../connectors/registry';", 'infra/ builds the stack from topology/ and core/'],
  ['cli/commands/x.ts', "import '../../functions/api';", 'the CLI is an HTTP client of the hub'],
];

const ALLOWED: [file: string, code: string][] = [
  ['core/use-cases/x.ts', "import '../escalation';"],
  ['topology/x.ts', "import '../core/events';"],
  ['connectors/jira/x.ts', "import axios from 'axios'; import '../../core/config'; export const a = axios;"],
  ['functions/x.ts', "import '../topology/topology'; import '../connectors/registry'; import '@aws-sdk/client-sqs';"],
  ['functions/adapters/x.ts', "import '../../topology/table-schema';"],
  ['infra/x.ts', "import '../topology/access'; import 'aws-cdk-lib';"],
  ['local/x.ts', "import '../functions/api'; import '../infra/hub-stack';"],
];

beforeAll(() => {
  const cases = [...CROSSING.map(([f, c]) => [f, c]), ...ALLOWED];
  const out = JSON.parse(execFileSync(process.execPath, ['-e', LINT], { cwd: REPO, input: JSON.stringify(cases), encoding: 'utf8' })) as string[][];
  cases.forEach(([f, c], i) => linted.set(`${f}\n${c}`, out[i]!));
}, 60_000);

describe('the import table', () => {
  it.each(CROSSING)('%s: %s fails the lint', (file, code, reason) => {
    const messages = restricted(file, code);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain(reason);
  });

  it.each(ALLOWED)('%s: %s is allowed', (file, code) => {
    expect(restricted(file, code)).toEqual([]);
  });
});
