import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules', 'cdk.out', '.hub', 'bench/results.json', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-console': ['error', { allow: ['error'] }],
    },
  },
  { files: ['local/**', 'bench/**', 'test/**', 'bin/**', 'cli/**'], rules: { 'no-console': 'off' } },
  ...boundaries(),
);

/**
 * The import table of the design (README, Layout): each folder may import only what its row allows, so a
 * crossing fails `npm run lint`. Folders are matched in the import's path (`../functions/…`,
 * `../../infra/…`); packages by name. `local/` and `test/` may import everything.
 */
function boundaries() {
  const folder = (name) => [`../${name}/*`, `../../${name}/*`, `../../../${name}/*`, `../${name}`, `../../${name}`];
  const folders = (names, why) => names.map((n) => ({ group: folder(n), message: `${why} (README, Layout: the import table).` }));
  const packages = (names, why) => ({ group: names, message: `${why} (README, Layout: the import table).` });
  const IO = ['@aws-sdk/*', 'aws-cdk-lib', 'aws-cdk-lib/*', 'constructs', 'cdk-nag', 'axios', 'cockatiel', '@aws-lambda-powertools/*', 'node:http', 'node:https', 'node:net', 'node:fs', 'node:fs/*', 'dynalite'];
  const connectors = [
    ...folders(['functions', 'infra', 'local', 'topology', 'cli', 'bench', 'scripts', 'test'], 'connectors/ import only core/ (and their HTTP client)'),
    packages(['@aws-sdk/*', 'aws-cdk-lib', 'aws-cdk-lib/*', 'constructs', 'cdk-nag', '@aws-lambda-powertools/*', 'dynalite'], 'connectors/ speak to partners, not to AWS'),
  ];
  const rule = (files, patterns) => ({ files, rules: { 'no-restricted-imports': ['error', { patterns }] } });
  return [
    rule(['core/**/*.ts'], [
      ...folders(['connectors', 'functions', 'infra', 'local', 'topology', 'cli', 'bench', 'scripts', 'test'], 'core/ imports nothing outside core/'),
      packages(IO, 'core/ does no I/O: no AWS SDK, HTTP client, CDK or file system'),
    ]),
    rule(['topology/**/*.ts'], [
      ...folders(['connectors', 'functions', 'infra', 'local', 'cli', 'bench', 'scripts', 'test'], 'topology/ is plain data that functions/ and infra/ both read: it imports only core/'),
      packages(IO, 'topology/ is plain data: no SDK, CDK or I/O'),
    ]),
    rule(['connectors/**/*.ts'], [
      ...connectors,
      packages(['fast-xml-parser'], 'only connectors/salesforce-desk reads XML (Outbound Messages), so that only the webhook bundle carries a parser'),
    ]),
    // the salesforce-desk connector reads Salesforce's Outbound Messages (SOAP) with fast-xml-parser, DTDs refused
    rule(['connectors/salesforce-desk/**/*.ts'], connectors),
    rule(['functions/**/*.ts'], [
      ...folders(['infra', 'local', 'cli', 'bench', 'scripts', 'test'], 'functions/ import core/, connectors/ and topology/, never the CDK app or the local runtime'),
      packages(['aws-cdk-lib', 'aws-cdk-lib/*', 'constructs', 'cdk-nag', 'dynalite'], 'functions/ run in Lambda: no CDK, no local database'),
    ]),
    rule(['infra/**/*.ts'], [
      ...folders(['functions', 'connectors', 'local', 'cli', 'bench', 'test'], 'infra/ builds the stack from topology/ and core/; it names handlers by their entry files, never imports them'),
      packages(['@aws-sdk/*', 'axios', 'dynalite', '@aws-lambda-powertools/*'], 'infra/ declares resources; it calls nothing'),
    ]),
    rule(['cli/**/*.ts'], [
      ...folders(['functions', 'infra', 'connectors', 'topology', 'bench', 'scripts', 'test'], 'the CLI is an HTTP client of the hub: it imports core/ types and the local dev-token helpers only'),
      packages(['@aws-sdk/*', 'aws-cdk-lib', 'aws-cdk-lib/*', 'dynalite'], 'the CLI is an HTTP client of the hub'),
    ]),
  ];
}
