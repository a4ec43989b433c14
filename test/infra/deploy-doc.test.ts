/**
 * docs/deploy.md promises that every command in it is run by CI or a test. This covers the offline ones:
 * each `npx cdk deploy` line synthesizes (cdk-nag clean) with exactly its context values in the page's
 * region, and each `npm run`/`npx cdk synth` line is a script CI runs. The `aws` lines run against moto in
 * the AWS-parity tier (test/aws/deploy-doc.test.ts).
 */
import { AwsSolutionsChecks } from 'cdk-nag';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildHubApp, cliContext } from '../../infra/app';

const ROOT = join(__dirname, '..', '..');
const doc = readFileSync(join(ROOT, 'docs', 'deploy.md'), 'utf8');
const commands = [...doc.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) => m[1]!.split('\n'))
  .map((l) => l.replace(/\s+#.*$/, '').trim()).filter(Boolean);
const ci = readFileSync(join(ROOT, '.ci', 'run'), 'utf8');
const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
const region = /^export AWS_REGION=(\S+)$/m.exec(doc)?.[1];

it('names its region, and every command is one this suite knows how to check', () => {
  expect(region).toBe('eu-west-1');
  const known = /^(export |STACK=|PREFIX=|API=|TOPIC=|TABLE=|RULE_SET=|MAIL_BUCKET=|aws |npx cdk (deploy|synth|bootstrap)|npm run )/;
  expect(commands.filter((c) => !known.test(c))).toEqual([]);
});

it('each npm run and npx cdk synth line is run by .ci/run (directly, or inside npm test)', () => {
  const npmRuns = commands.filter((c) => c.startsWith('npm run ')).map((c) => c.split(/\s+/)[2]!);
  expect(npmRuns.length).toBeGreaterThan(0);
  for (const name of npmRuns) {
    expect(scripts).toHaveProperty([name]);
    // npm test runs every jest project path but the long reliability tests
    const insideNpmTest = /^jest test\/[a-z]+$/.test(scripts[name]!) && !scripts.test!.includes(scripts[name]!.slice(5));
    expect(ci.includes(`npm run ${name}`) || insideNpmTest).toBe(true);
  }
  for (const c of commands.filter((x) => x.startsWith('npx cdk synth'))) expect(ci).toContain(c);
});

it.each(commands.filter((c) => c.startsWith('npx cdk deploy')))('%s synthesizes with its context values, cdk-nag clean', (command) => {
  const context = Object.fromEntries([...command.matchAll(/-c (\w+)=(\S+)/g)].map((m) => [m[1]!, m[2]!]));
  expect(Object.keys(context)).toEqual(expect.arrayContaining(['jwtIssuer', 'jwtAudience', 'hubConfig']));
  const { app, stack } = buildHubApp({ CDK_DEFAULT_REGION: region }, { context: cliContext(context) });
  expect(stack.region).toBe(region);
  expect(new AwsSolutionsChecks().validateScope(app).violations).toEqual([]);
  // the deployed stack really is the one these values describe
  const template = JSON.stringify(app.synth().getStackByName(stack.stackName).template);
  expect(template).toContain(context.jwtIssuer);
  if (context.alarmEmail) expect(template).toContain(context.alarmEmail);
}, 60000);
