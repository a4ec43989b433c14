/**
 * docs/deploy.md promises that every command in it is run by CI or a test. Its `aws` commands (and the
 * shell variables they use) run here, in the order the page gives them, with the pinned AWS CLI (.venv)
 * against the stack the page's `npx cdk deploy` line describes, deployed on moto. Then each command's effect
 * is checked where it landed: the secrets hold the values put, the hub's receipt rule set is active, the
 * alarm topic has its subscription, and the clean-up leaves no stack, table, mail bucket or status-link key behind.
 * (The offline commands are covered by test/infra/deploy-doc.test.ts.)
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../../infra/hub-config';
import { clientConfig, deployToMoto, DUMMY_CREDENTIALS, REGION, synthesize, type Deployed } from './deploy';
import { freePort, startMoto, type Moto } from './moto-server';

const doc = readFileSync(join(REPO_ROOT, 'docs', 'deploy.md'), 'utf8');
const lines = [...doc.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) => m[1]!.split('\n')).map((l) => l.trim()).filter(Boolean);
/** The page's `npx cdk deploy` context values: the stack under test is the one the page deploys. */
const deployLine = lines.find((l) => l.startsWith('npx cdk deploy'))!;
const context = Object.fromEntries([...deployLine.matchAll(/-c (\w+)=(\S+)/g)].map((m) => [m[1]!, m[2]!]));
const stackName = /^STACK=(\S+)$/m.exec(doc)![1]!;
/** Shell variables and `aws` commands, in page order; the region is the one the tier deploys in. */
const script = lines.filter((l) => /^(export |[A-Z_]+=|aws )/.test(l)).map((l) => l.replace(/^export AWS_REGION=\S+$/, `export AWS_REGION=${REGION}`));

let moto: Moto;
let workDir: string;
let deployed: Deployed;

beforeAll(async () => {
  moto = await startMoto();
  workDir = mkdtempSync(join(tmpdir(), 'hub-deploy-doc-'));
  const s = synthesize({ outdir: join(workDir, 'cdk.out'), hubConfig: join(REPO_ROOT, context.hubConfig!), stackName, jwtIssuer: context.jwtIssuer!, jwtAudience: context.jwtAudience!, alarmEmail: context.alarmEmail, retainData: context.retainData !== 'false' });
  deployed = await deployToMoto(moto.endpoint, s, {}, `http://127.0.0.1:${await freePort()}`, moto.log);
}, 170_000);

afterAll(async () => {
  await moto?.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

it('runs every aws command of docs/deploy.md against the deployed stack, and each lands', async () => {
  expect(script.filter((l) => l.startsWith('aws ')).length).toBeGreaterThanOrEqual(10);
  const run = await promisify(execFile)('bash', ['-c', ['set -euo pipefail', ...script].join('\n')], {
    cwd: REPO_ROOT,
    env: {
      PATH: `${join(REPO_ROOT, '.venv', 'bin')}:${process.env.PATH}`, HOME: workDir,
      AWS_ENDPOINT_URL: moto.endpoint, AWS_DEFAULT_REGION: REGION, ...DUMMY_CREDENTIALS,
    },
    maxBuffer: 16 * 1024 * 1024,
  }).catch((e: { stderr?: string; stdout?: string; message: string }) => { throw new Error(`a docs/deploy.md command failed: ${e.message}\n${e.stderr ?? ''}`); });

  // section 4: the outputs were read
  expect(run.stdout).toContain('ApiUrl');
  // section 5: the partner-issued values are in Secrets Manager, the status-link key was rotated
  const secrets = new SecretsManagerClient(clientConfig(moto.endpoint));
  const value = async (id: string) => (await secrets.send(new GetSecretValueCommand({ SecretId: id }))).SecretString;
  expect(await value('partner-escalation-hub/MICROSOFT_TOKEN')).toBe('the-partner-issued-token');
  expect(await value('partner-escalation-hub/MICROSOFT_WEBHOOK_SECRET')).toMatch(/^whsec_/);
  // section 8: the stack's receipt rule set (the fixture has an e-mail partner) is the active one
  expect(run.stdout).toContain(`${stackName}-partner-mail`);
  // section 9: the alarm topic lists the page's alarm e-mail
  expect(run.stdout).toContain(context.alarmEmail!);
  // section 10: no stack, no table, no status-link key left
  await expect(value('partner-escalation-hub/status-link-key')).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  await expect(new DynamoDBClient(clientConfig(moto.endpoint)).send(new DescribeTableCommand({ TableName: deployed.outputs.TableName! })))
    .rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  // and no mail bucket (retained by the stack, removed by the page)
  expect(deployed.outputs.MailBucketName).toBeDefined();
  expect((await fetch(`${moto.endpoint}/${deployed.outputs.MailBucketName}`, { method: 'HEAD' })).status).toBe(404);
  const stacks = await new CloudFormationClient(clientConfig(moto.endpoint)).send(new DescribeStacksCommand({ StackName: stackName })).catch(() => ({ Stacks: [] }));
  expect((stacks.Stacks ?? []).filter((x) => x.StackStatus !== 'DELETE_COMPLETE')).toEqual([]);
}, 120_000);
