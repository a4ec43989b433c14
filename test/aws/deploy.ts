/**
 * Synthesizes the hub as `npx cdk synth` does (infra/app.ts, bundling on: cdk.out holds the real esbuild
 * bundles), plays `cdk bootstrap` and `cdk deploy`'s asset upload against moto (the bootstrap version
 * parameter, the assets bucket, one zip per function), and creates the stack through moto's CloudFormation.
 * The template deployed is the synthesized one, changed only by test/aws/moto-gaps.ts.
 */
import { CloudFormationClient, CreateStackCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { SQSClient } from '@aws-sdk/client-sqs';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildHubApp } from '../../infra/app';
import { REPO_ROOT } from '../../infra/hub-config';
import { adaptTemplateForMoto, afterDeploy, createReceiptRules, type Template } from './moto-gaps';

export const REGION = 'us-east-1';
export const ACCOUNT = '123456789012';
/** What every client of the tier (and every function) is given: moto accepts any key. */
export const DUMMY_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_SESSION_TOKEN: 'testing' };

export const clientConfig = (endpoint: string) => ({
  endpoint, region: REGION,
  credentials: { accessKeyId: DUMMY_CREDENTIALS.AWS_ACCESS_KEY_ID, secretAccessKey: DUMMY_CREDENTIALS.AWS_SECRET_ACCESS_KEY },
});

/** An SQS client for the tier's own calls: moto's endpoint wins over its queue URLs' host (as in functions/adapters/sqs-queue.ts). */
export const motoSqs = (endpoint: string) => new SQSClient({ ...clientConfig(endpoint), useQueueUrlAsEndpoint: false });

export interface Synthesized {
  outdir: string; stackName: string; template: Template; assets: { path: string; bucket: string; key: string }[];
  /** Each function's environment size as the synth-time check estimates it (infra/hub-function.ts `resolvedBytes`), by its HUB_FUNCTION. */
  environmentBytes: Record<string, number>;
}

/** `npx cdk synth -c hubConfig=<file>` in-process, with bundling (the CLI's default). */
export function synthesize(opts: { outdir: string; hubConfig: string; stackName: string; jwtIssuer: string; jwtAudience: string; alarmEmail?: string | undefined; retainData?: boolean }): Synthesized {
  const { app, stack } = buildHubApp({ CDK_DEFAULT_REGION: REGION, CDK_DEFAULT_ACCOUNT: ACCOUNT }, {
    outdir: opts.outdir,
    context: { hubConfig: opts.hubConfig, stackName: opts.stackName, jwtIssuer: opts.jwtIssuer, jwtAudience: opts.jwtAudience, retainData: String(opts.retainData ?? false), ...(opts.alarmEmail ? { alarmEmail: opts.alarmEmail } : {}) },
  });
  app.synth();
  const template = JSON.parse(readFileSync(join(opts.outdir, `${opts.stackName}.template.json`), 'utf8')) as Template;
  const manifest = JSON.parse(readFileSync(join(opts.outdir, `${opts.stackName}.assets.json`), 'utf8')) as {
    files: Record<string, { source: { path: string; packaging?: string }; destinations: Record<string, { bucketName: string; objectKey: string }> }>;
  };
  const assets = Object.values(manifest.files)
    .filter((f) => f.source.packaging === 'zip')
    .map((f) => {
      const d = Object.values(f.destinations)[0]!;
      return { path: join(opts.outdir, f.source.path), bucket: d.bucketName.replace('${AWS::AccountId}', ACCOUNT).replace('${AWS::Region}', REGION), key: d.objectKey };
    });
  const environmentBytes = Object.fromEntries([...stack.services.functions].map(([name, f]) => [name, f.environmentBytes()]));
  return { outdir: opts.outdir, stackName: opts.stackName, template, assets, environmentBytes };
}

/** moto's JSON-protocol APIs without an SDK client this project does not otherwise need (SSM). */
async function jsonCall(endpoint: string, target: string, body: unknown) {
  const r = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target,
      authorization: `AWS4-HMAC-SHA256 Credential=${DUMMY_CREDENTIALS.AWS_ACCESS_KEY_ID}/20250101/${REGION}/ssm/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: JSON.stringify(body),
  });
  if (!r.ok) throw new Error(`${target}: HTTP ${r.status} ${await r.text()}`);
}

/** What `cdk bootstrap` leaves and `cdk deploy` uploads: the bootstrap version parameter and the function zips. */
export async function bootstrapAndUpload(endpoint: string, s: Synthesized) {
  await jsonCall(endpoint, 'AmazonSSM.PutParameter', { Name: '/cdk-bootstrap/hnb659fds/version', Value: '30', Type: 'String', Overwrite: true });
  const buckets = new Set(s.assets.map((a) => a.bucket));
  for (const b of buckets) {
    const r = await fetch(`${endpoint}/${b}`, { method: 'PUT' });
    if (!r.ok && r.status !== 409) throw new Error(`create bucket ${b}: HTTP ${r.status}`);
  }
  for (const a of s.assets) {
    const zip = `${a.path}.zip`;
    execFileSync(join(REPO_ROOT, '.venv', 'bin', 'python'), ['-m', 'zipfile', '-c', zip, ...['index.js', 'index.js.map'].map((f) => join(a.path, f))]);
    const r = await fetch(`${endpoint}/${a.bucket}/${a.key}`, { method: 'PUT', body: readFileSync(zip) });
    if (!r.ok) throw new Error(`upload ${a.key}: HTTP ${r.status}`);
  }
}

export interface Deployed {
  stackName: string;
  /** The template as synthesized, and as handed to moto (moto-gaps.ts). */
  template: Template;
  deployedTemplate: Template;
  outputs: Record<string, string>;
  secretArns: Record<string, string>;
  /** The SQS event-source mappings enabled as deployed (moto-gaps.ts ESM_RUNS_LAMBDA disabled them in moto). */
  activeMappings: Set<string>;
}

/** CreateStack with the (moto-adapted) template, then the post-deploy fixes of moto-gaps.ts. */
/**
 * @param apiEndpoint the URL that plays the HTTP API's endpoint (moto-gaps.ts API_ENDPOINT): the runner's front door
 * @param serverLog moto's output, quoted when CreateStack fails
 */
export async function deployToMoto(endpoint: string, s: Synthesized, secretValues: Record<string, string>, apiEndpoint: string, serverLog?: () => string): Promise<Deployed> {
  await bootstrapAndUpload(endpoint, s);
  const cfn = new CloudFormationClient({ ...clientConfig(endpoint), maxAttempts: 1 });
  const prepared = await adaptTemplateForMoto(endpoint, s.template, secretValues, apiEndpoint);
  try {
    await cfn.send(new CreateStackCommand({ StackName: s.stackName, TemplateBody: JSON.stringify(prepared.template), Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'] }));
  } catch (e) {
    // moto answers a resource it cannot create with a 500 page; its own traceback (printed just after) says which and why
    await new Promise((r) => setTimeout(r, 500));
    const trace = serverLog?.().split('\n').filter((l) => !/No Moto CloudFormation support|UserWarning|parse_resource\(/.test(l)).slice(-25).join('\n');
    throw new Error(`CreateStack ${s.stackName} failed: ${(e as Error).message}${trace ? `\nmoto:\n${trace}` : ''}`, { cause: e });
  }
  let status = '';
  let outputs: Record<string, string> = {};
  const until = Date.now() + 60_000;
  while (Date.now() < until) {
    const d = (await cfn.send(new DescribeStacksCommand({ StackName: s.stackName }))).Stacks?.[0];
    status = d?.StackStatus ?? '';
    if (status === 'CREATE_COMPLETE') {
      outputs = Object.fromEntries((d?.Outputs ?? []).map((o) => [o.OutputKey!, o.OutputValue!]));
      break;
    }
    if (/FAILED|ROLLBACK/.test(status)) throw new Error(`stack ${s.stackName}: ${status} ${d?.StackStatusReason ?? ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  if (status !== 'CREATE_COMPLETE') throw new Error(`stack ${s.stackName} is ${status}, not CREATE_COMPLETE, after 60 s`);
  const activeMappings = await afterDeploy(endpoint);
  await createReceiptRules(endpoint, s.stackName, prepared.template);
  return { stackName: s.stackName, template: s.template, deployedTemplate: prepared.template, outputs, secretArns: prepared.secretArns, activeMappings };
}
