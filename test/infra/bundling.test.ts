/**
 * One real bundle through the stack's own construct (the other infra tests skip bundling): the local
 * esbuild, no Docker, minified, linked source map, AWS SDK left to the Lambda runtime, the configuration
 * bundled beside the code, and the result loads in a fresh Node process and exports `handler`.
 */
import { App, Stack } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUNDLED_CONFIG_FILE, HubFunction } from '../../infra/hub-function';
import { REPO_ROOT } from '../../infra/hub-config';
import { buildTopology } from '../../topology/topology';

it('bundles the sweep function with the stack settings, and the bundle loads', () => {
  const app = new App({ outdir: join(tmpdir(), `hub-bundle-${process.pid}`) });
  const stack = new Stack(app, 'BundleTest');
  const spec = buildTopology([]).functions.find((f) => f.name === 'sweep')!;
  const configJson = JSON.stringify({ partners: [] });
  new HubFunction(stack, 'Sweep', { spec, environment: {}, configJson, logRetention: RetentionDays.ONE_WEEK });
  const assembly = app.synth();

  const assetDirs = readdirSync(assembly.directory).filter((d) => d.startsWith('asset.')).map((d) => join(assembly.directory, d));
  const dir = assetDirs.find((d) => existsSync(join(d, 'index.js')))!;
  expect(dir).toBeDefined();
  const code = readFileSync(join(dir, 'index.js'), 'utf8');
  expect(existsSync(join(dir, 'index.js.map'))).toBe(true);
  // the configuration travels in the code, not the environment
  expect(readFileSync(join(dir, BUNDLED_CONFIG_FILE), 'utf8')).toBe(configJson);
  // boolean checks: a failure should not print a 600 KB bundle
  expect(code.includes('sourceMappingURL=index.js.map')).toBe(true);
  expect(code.length / code.split('\n').length).toBeGreaterThan(1000); // minified: long lines
  expect(code.includes('require("@aws-sdk/client-dynamodb")')).toBe(true); // the runtime's SDK, not a bundled copy
  expect(code.includes('application/vnd.')).toBe(false); // mime-db's table is not bundled

  const loaded = execFileSync(process.execPath, ['-e', `process.stdout.write(typeof require(${JSON.stringify(join(dir, 'index.js'))}).handler)`], {
    env: { PATH: process.env.PATH ?? '', NODE_PATH: join(REPO_ROOT, 'node_modules'), AWS_REGION: 'eu-west-1' },
    encoding: 'utf8',
  });
  expect(loaded).toBe('function');
});
