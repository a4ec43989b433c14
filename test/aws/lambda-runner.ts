/**
 * A small Lambda service for the AWS-parity tier. Everything it runs is read from the DEPLOYED stack in
 * moto, never from topology/topology.ts: the functions (DescribeStackResources, GetFunctionConfiguration:
 * their deployed environment), the SQS event-source mappings (ListEventSourceMappings: queue, function,
 * batch size), and, for the resources moto's CloudFormation does not create, the template as deployed:
 * the HTTP API's routes (AWS::ApiGatewayV2::Route → Integration → function), the schedules
 * (AWS::Scheduler::Schedule target and its Input) and the SES receipt rules (AWS::SES::ReceiptRule: its
 * recipients, the bucket and prefix of its S3 action, the function of its Lambda action), which the runner
 * plays as SES receiving does: store the mail, then invoke the function with SES's event.
 *
 * Each function runs its bundled handler (the cdk.out asset folder's index.js) in its own Node process
 * (test/aws/lambda-host.js), one invocation at a time, with the function's deployed environment plus
 * AWS_ENDPOINT_URL (moto), dummy credentials and the region. SQS: one poller per mapping receives up to the
 * mapping's batch size, invokes the function with an SQS event, deletes the records that succeeded and
 * leaves the `batchItemFailures` on the queue, so receive counts, redrive and dead-letter queues are
 * moto's own. One liberty with time: a failed record is made visible again at once
 * (ChangeMessageVisibility 0) instead of after the queue's visibility timeout (3–6 minutes), so retries
 * take seconds; the number of receives before dead-lettering is unchanged.
 */
import { DescribeStackResourcesCommand, CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { GetFunctionConfigurationCommand, LambdaClient, ListEventSourceMappingsCommand } from '@aws-sdk/client-lambda';
import {
  ChangeMessageVisibilityBatchCommand, DeleteMessageBatchCommand, GetQueueUrlCommand, ReceiveMessageCommand, type Message, type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { silentLog } from '../../core/deps';
import type { HttpEvent, HttpResult } from '../../functions/http';
import { REPO_ROOT } from '../../infra/hub-config';
import type { FunctionName, RouteSpec } from '../../topology/topology';
import { createLocalHttpServer, type LocalHttpServer } from '../../local/http-server';
import { clientConfig, DUMMY_CREDENTIALS, motoSqs, REGION } from './deploy';
import type { Template } from './moto-gaps';

export interface DeployedFunction {
  logicalId: string;
  name: string;
  arn: string;
  /** HUB_FUNCTION of its deployed environment (api, webhook, …), for readable test code. */
  role: string;
  environment: Record<string, string>;
  handler: string;
  timeoutMs: number;
  memoryMb: number;
  /** The cdk.out asset folder its code was uploaded from. */
  codeDir: string;
}

export interface DeployedMapping { uuid: string; queueArn: string; queueUrl: string; queueName: string; functionName: string; batchSize: number; reportsBatchItemFailures: boolean }
export interface DeployedRoute { routeKey: string; auth: 'JWT' | 'NONE'; functionName: string }
export interface DeployedSchedule { logicalId: string; functionName: string; input: unknown; expression: string }
export interface DeployedReceiptRule { name: string; recipients: string[]; bucket: string; prefix: string; functionName: string; functionArn: string; invocationType: string }

export interface DeployedStack {
  resources: Map<string, { type: string; physicalId: string }>;
  functions: Map<string, DeployedFunction>;
  mappings: DeployedMapping[];
  routes: DeployedRoute[];
  schedules: DeployedSchedule[];
  receiptRules: DeployedReceiptRule[];
}

type Intrinsic = { Ref?: string; 'Fn::GetAtt'?: [string, string]; 'Fn::Join'?: [string, unknown[]] };
const logicalIdOf = (v: unknown): string | undefined => {
  const x = v as Intrinsic;
  return x?.Ref ?? x?.['Fn::GetAtt']?.[0] ?? (x?.['Fn::Join']?.[1] ?? []).map(logicalIdOf).find(Boolean);
};

/** Reads what was deployed: the stack's resources and functions from moto, routes and schedules from the deployed template. */
export async function readDeployedStack(endpoint: string, stackName: string, template: Template, cdkOut: string, activeMappings: Set<string>): Promise<DeployedStack> {
  const cfn = new CloudFormationClient(clientConfig(endpoint));
  const lambda = new LambdaClient(clientConfig(endpoint));
  const sqs = motoSqs(endpoint);
  const described = await cfn.send(new DescribeStackResourcesCommand({ StackName: stackName }));
  const resources = new Map((described.StackResources ?? []).map((r) => [r.LogicalResourceId!, { type: r.ResourceType!, physicalId: r.PhysicalResourceId! }]));

  const functions = new Map<string, DeployedFunction>();
  for (const [logicalId, r] of resources) {
    if (r.type !== 'AWS::Lambda::Function') continue;
    const c = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: r.physicalId }));
    const key = (template.Resources[logicalId]?.Properties?.Code as { S3Key?: string } | undefined)?.S3Key ?? '';
    const env = c.Environment?.Variables ?? {};
    functions.set(c.FunctionName!, {
      logicalId, name: c.FunctionName!, arn: c.FunctionArn!, role: env.HUB_FUNCTION ?? c.FunctionName!, environment: env, handler: c.Handler!,
      timeoutMs: (c.Timeout ?? 3) * 1000, memoryMb: c.MemorySize ?? 128, codeDir: join(cdkOut, `asset.${key.replace(/\.zip$/, '')}`),
    });
  }
  const byLogical = (id: string | undefined) => [...functions.values()].find((f) => f.logicalId === id);

  const mappings: DeployedMapping[] = [];
  for (const m of (await lambda.send(new ListEventSourceMappingsCommand({}))).EventSourceMappings ?? []) {
    const fn = [...functions.values()].find((f) => f.arn === m.FunctionArn || f.name === m.FunctionArn?.split(':').pop());
    if (!fn || !m.EventSourceArn?.startsWith('arn:aws:sqs:') || !activeMappings.has(m.UUID!)) continue;
    const queueName = m.EventSourceArn.split(':').pop()!;
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: queueName }));
    mappings.push({
      uuid: m.UUID!, queueArn: m.EventSourceArn, queueUrl: QueueUrl!, queueName, functionName: fn.name, batchSize: m.BatchSize ?? 10,
      reportsBatchItemFailures: (m.FunctionResponseTypes ?? []).includes('ReportBatchItemFailures'),
    });
  }

  // moto's CloudFormation does not create API Gateway v2 or Scheduler resources: read them as deployed
  const routes: DeployedRoute[] = [];
  const schedules: DeployedSchedule[] = [];
  const receiptRules: DeployedReceiptRule[] = [];
  for (const [logicalId, r] of Object.entries(template.Resources)) {
    const p = r.Properties ?? {};
    if (r.Type === 'AWS::ApiGatewayV2::Route') {
      const integration = template.Resources[logicalIdOf(p.Target) ?? ''];
      const fn = byLogical(logicalIdOf(integration?.Properties?.IntegrationUri));
      if (!fn) throw new Error(`route ${String(p.RouteKey)}: its integration names no deployed function`);
      routes.push({ routeKey: String(p.RouteKey), auth: p.AuthorizationType === 'JWT' ? 'JWT' : 'NONE', functionName: fn.name });
    }
    if (r.Type === 'AWS::Scheduler::Schedule') {
      const target = p.Target as { Arn: unknown; Input?: string };
      const fn = byLogical(logicalIdOf(target.Arn));
      if (!fn) throw new Error(`schedule ${logicalId}: its target is no deployed function`);
      // EventBridge Scheduler sends the target's Input as the payload; without one, an empty object
      schedules.push({ logicalId, functionName: fn.name, input: target.Input === undefined ? {} : JSON.parse(target.Input), expression: String(p.ScheduleExpression) });
    }
    if (r.Type === 'AWS::SES::ReceiptRule') {
      const rule = p.Rule as { Name: string; Recipients?: string[]; Actions: { S3Action?: { BucketName: unknown; ObjectKeyPrefix?: string }; LambdaAction?: { FunctionArn: unknown; InvocationType?: string } }[] };
      // SES runs a rule's actions in order: the function must come after the mail is stored
      const stored = rule.Actions.findIndex((a) => a.S3Action);
      const invoked = rule.Actions.findIndex((a) => a.LambdaAction);
      const s3 = rule.Actions[stored]?.S3Action;
      const invoke = rule.Actions[invoked]?.LambdaAction;
      const bucket = resources.get(logicalIdOf(s3?.BucketName) ?? '');
      const fn = byLogical(logicalIdOf(invoke?.FunctionArn));
      if (!s3 || !bucket || !invoke || !fn || invoked < stored) throw new Error(`receipt rule ${rule.Name}: it must store the mail in a deployed bucket, then invoke a deployed function`);
      receiptRules.push({ name: rule.Name, recipients: rule.Recipients ?? [], bucket: bucket.physicalId, prefix: s3.ObjectKeyPrefix ?? '', functionName: fn.name, functionArn: fn.arn, invocationType: invoke.InvocationType ?? 'Event' });
    }
  }
  return { resources, functions, mappings, routes, schedules, receiptRules };
}

interface Pending { resolve: (v: unknown) => void; reject: (e: Error) => void }

/** One warm container of a function: a child process, invocations one at a time. */
class Container {
  private readonly child: ChildProcess;
  private readonly ready: Promise<void>;
  private readonly pending = new Map<number, Pending>();
  private seq = 0;
  private chain: Promise<unknown> = Promise.resolve();
  output = '';

  constructor(readonly fn: DeployedFunction, endpoint: string, serviceEndpoints: Record<string, string>) {
    // the Lambda runtime provides the AWS SDK (external to the bundles); here it is the repository's, linked
    // beside the asset folders, where both require() and import() find it (import() ignores NODE_PATH)
    const modules = join(dirname(fn.codeDir), 'node_modules');
    if (!existsSync(modules)) symlinkSync(join(REPO_ROOT, 'node_modules'), modules, 'dir');
    this.child = fork(join(__dirname, 'lambda-host.js'), [fn.codeDir, fn.handler], {
      cwd: fn.codeDir,
      execArgv: [],
      silent: true,
      env: {
        PATH: process.env.PATH ?? '',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        ...fn.environment,
        AWS_ENDPOINT_URL: endpoint,
        ...serviceEndpoints,
        ...DUMMY_CREDENTIALS,
        AWS_REGION: REGION,
        AWS_DEFAULT_REGION: REGION,
        AWS_LAMBDA_FUNCTION_NAME: fn.name,
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
        AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      },
    });
    const keep = (c: Buffer) => { this.output = (this.output + c.toString('utf8')).slice(-50_000); };
    this.child.stdout!.on('data', keep);
    this.child.stderr!.on('data', keep);
    this.ready = new Promise((resolve, reject) => {
      this.child.once('exit', (code) => {
        const err = new Error(`function ${fn.role} (${fn.name}) exited (${code}):\n${this.output.slice(-3000)}`);
        reject(err);
        for (const p of this.pending.values()) p.reject(err);
      });
      this.child.on('message', (m: { ready?: boolean; id?: number; ok?: boolean; result?: unknown; error?: { name: string; message: string; stack: string } }) => {
        if (m.ready) return resolve();
        const p = this.pending.get(m.id!);
        if (!p) return;
        this.pending.delete(m.id!);
        if (m.ok) p.resolve(m.result);
        else p.reject(Object.assign(new Error(`function ${fn.role} failed: ${m.error?.name}: ${m.error?.message}`), { functionError: m.error }));
      });
    });
  }

  invoke(event: unknown): Promise<unknown> {
    const run = async () => {
      await this.ready;
      const id = ++this.seq;
      return new Promise((resolve, reject) => {
        this.pending.set(id, { resolve, reject });
        this.child.send({ id, event, timeoutMs: this.fn.timeoutMs });
      });
    };
    const result = this.chain.then(run, run);
    this.chain = result.catch(() => undefined);
    return result;
  }

  async stop() {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill();
    await exited;
  }
}

/** Headers of one connection (RFC 9110 §7.6.1) and the body's framing: a proxy sets its own. */
const HOP_HEADERS = new Set(['host', 'connection', 'keep-alive', 'transfer-encoding', 'content-length', 'expect', 'upgrade', 'te', 'trailer', 'proxy-connection']);

/** What one SQS poller handed its function: for assertions on delays, receive counts and batches. */
export interface Delivery { queueName: string; messageId: string; body: string; receiveCount: number; sentAt: number; firstReceivedAt: number; failed: boolean }

export interface LambdaRunnerOptions {
  endpoint: string;
  stack: DeployedStack;
  /** HS256 secret of the test tokens the HTTP front door accepts in the JWT authorizer's place. */
  jwtSecret: string;
}

export class LambdaRunner {
  readonly containers = new Map<string, Container>();
  readonly deliveries: Delivery[] = [];
  /** Errors of whole invocations (not per-record failures), by function role. */
  readonly invocationErrors: { role: string; error: string }[] = [];
  url = '';
  private server: LocalHttpServer | undefined;
  /**
   * The functions' SESv2 calls, recorded on their way to moto, which answers them (it still refuses a
   * sender that is not a verified identity). Read here because moto keeps only some fields of a sent
   * mail (no headers), and its model data (`/moto-api/data.json`) fails once Lambda functions exist
   * (their model reaches for Docker).
   */
  readonly sesCalls: { path: string; body: Record<string, unknown> }[] = [];
  private sesProxy: { server: Server; url: string } | undefined;
  private running = false;
  private pollers: Promise<void>[] = [];
  private readonly sqs: SQSClient;

  constructor(private readonly opts: LambdaRunnerOptions) {
    this.sqs = motoSqs(opts.endpoint);
  }

  /** The deployed function whose HUB_FUNCTION is `role`. */
  fn(role: string): DeployedFunction {
    const f = [...this.opts.stack.functions.values()].find((x) => x.role === role);
    if (!f) throw new Error(`no deployed function ${role}`);
    return f;
  }

  private container(name: string): Container {
    let c = this.containers.get(name);
    if (!c) {
      const fn = this.opts.stack.functions.get(name);
      if (!fn) throw new Error(`no deployed function ${name}`);
      c = new Container(fn, this.opts.endpoint, this.sesProxy ? { AWS_ENDPOINT_URL_SESV2: this.sesProxy.url } : {});
      this.containers.set(name, c);
    }
    return c;
  }

  /** Invokes a deployed function by name with an event, as Lambda's Invoke would (RequestResponse). */
  invoke(functionName: string, event: unknown): Promise<unknown> {
    return this.container(functionName).invoke(event);
  }

  /** Runs the deployed schedule whose target is the function `role`, with the schedule target's Input. */
  runSchedule(role: string): Promise<unknown> {
    const fn = this.fn(role);
    const s = this.opts.stack.schedules.find((x) => x.functionName === fn.name);
    if (!s) throw new Error(`no deployed schedule targets ${role}`);
    return this.invoke(s.functionName, s.input);
  }

  /**
   * The HTTP front door (API Gateway's part) on `port` (0: any free one): the deployed routes, JWT routes
   * behind the test token check; then the SQS pollers.
   */
  async start(port = 0) {
    const routes: RouteSpec[] = this.opts.stack.routes.map((r) => {
      const [method, path] = r.routeKey.split(' ') as [RouteSpec['method'], string];
      return { method, path, function: r.functionName as FunctionName, auth: r.auth === 'JWT' ? 'jwt' : 'none' };
    });
    const handlers: Record<string, (e: HttpEvent) => Promise<HttpResult>> = {};
    for (const r of this.opts.stack.routes) {
      handlers[r.functionName] = async (e) => {
        try {
          return await this.invoke(r.functionName, e) as HttpResult;
        } catch (err) {
          // API Gateway answers a failed Lambda invocation with 500 Internal Server Error
          this.invocationErrors.push({ role: this.opts.stack.functions.get(r.functionName)!.role, error: String(err) });
          return { statusCode: 500, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: 'Internal Server Error', error: String(err) }) };
        }
      };
    }
    this.sesProxy = await this.startSesProxy();
    this.server = createLocalHttpServer({ routes, handlers, jwtSecret: this.opts.jwtSecret, log: silentLog });
    await new Promise<void>((resolve, reject) => { this.server!.once('error', reject); this.server!.listen(port, '127.0.0.1', resolve); });
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    this.running = true;
    this.pollers = this.opts.stack.mappings.map((m) => this.poll(m));
  }

  private async startSesProxy() {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        if (req.url?.startsWith('/v2/email/outbound-emails')) this.sesCalls.push({ path: req.url, body: JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown> });
        // the connection's own headers stay with this hop (fetch refuses some of them)
        const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !HOP_HEADERS.has(k)).map(([k, v]) => [k, String(v)]));
        fetch(this.opts.endpoint + (req.url ?? '/'), { method: req.method, headers, ...(body.length ? { body } : {}) })
          .then(async (r) => {
            // the body is handed on whole: its framing headers are this server's own
            res.writeHead(r.status, Object.fromEntries([...r.headers].filter(([k]) => !HOP_HEADERS.has(k) && k !== 'content-encoding')));
            res.end(Buffer.from(await r.arrayBuffer()));
          })
          .catch((e: unknown) => { res.writeHead(502); res.end(String(e)); });
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
  }

  private async poll(m: DeployedMapping) {
    while (this.running) {
      let messages: Message[];
      try {
        const r = await this.sqs.send(new ReceiveMessageCommand({
          QueueUrl: m.queueUrl, MaxNumberOfMessages: Math.min(10, m.batchSize), WaitTimeSeconds: 1,
          MessageSystemAttributeNames: ['All'], MessageAttributeNames: ['All'],
        }));
        messages = r.Messages ?? [];
      } catch (e) {
        if (!this.running) return;
        this.invocationErrors.push({ role: `poller ${m.queueName}`, error: String(e) });
        continue;
      }
      if (messages.length === 0) continue;
      const event: SQSEvent = {
        Records: messages.map((x) => ({
          messageId: x.MessageId!, receiptHandle: x.ReceiptHandle!, body: x.Body ?? '',
          attributes: {
            ApproximateReceiveCount: x.Attributes?.ApproximateReceiveCount ?? '1', SentTimestamp: x.Attributes?.SentTimestamp ?? '',
            SenderId: x.Attributes?.SenderId ?? '', ApproximateFirstReceiveTimestamp: x.Attributes?.ApproximateFirstReceiveTimestamp ?? '',
          },
          messageAttributes: {}, md5OfBody: x.MD5OfBody ?? '', eventSource: 'aws:sqs', eventSourceARN: m.queueArn, awsRegion: REGION,
        })),
      };
      let failedIds: Set<string>;
      try {
        const result = await this.invoke(m.functionName, event) as { batchItemFailures?: { itemIdentifier: string }[] } | null;
        failedIds = new Set(m.reportsBatchItemFailures ? (result?.batchItemFailures ?? []).map((f) => f.itemIdentifier) : []);
      } catch (e) {
        // a failed invocation returns the whole batch to the queue
        this.invocationErrors.push({ role: this.opts.stack.functions.get(m.functionName)!.role, error: String(e) });
        failedIds = new Set(messages.map((x) => x.MessageId!));
      }
      for (const x of messages) {
        this.deliveries.push({
          queueName: m.queueName, messageId: x.MessageId!, body: x.Body ?? '', receiveCount: Number(x.Attributes?.ApproximateReceiveCount ?? 1),
          sentAt: Number(x.Attributes?.SentTimestamp ?? 0), firstReceivedAt: Number(x.Attributes?.ApproximateFirstReceiveTimestamp ?? 0), failed: failedIds.has(x.MessageId!),
        });
      }
      const done = messages.filter((x) => !failedIds.has(x.MessageId!));
      const failed = messages.filter((x) => failedIds.has(x.MessageId!));
      if (done.length) {
        await this.sqs.send(new DeleteMessageBatchCommand({ QueueUrl: m.queueUrl, Entries: done.map((x, i) => ({ Id: String(i), ReceiptHandle: x.ReceiptHandle! })) }));
      }
      if (failed.length) {
        await this.sqs.send(new ChangeMessageVisibilityBatchCommand({
          QueueUrl: m.queueUrl, Entries: failed.map((x, i) => ({ Id: String(i), ReceiptHandle: x.ReceiptHandle!, VisibilityTimeout: 0 })),
        }));
      }
    }
  }

  /**
   * Plays SES receiving for a mail to `recipient`: the deployed rule that accepts it stores the raw mail as
   * `<prefix><messageId>` in its bucket, then invokes its function with SES's event (`event`: built for the
   * rule, the message id and where it stored the mail). An invocation that fails is an invocation error, as
   * for the SQS pollers (Lambda's asynchronous retries are not played).
   */
  async receiveMail(recipient: string, raw: Uint8Array, event: (r: { rule: DeployedReceiptRule; messageId: string }) => unknown): Promise<{ messageId: string; key: string; bucket: string; result: unknown }> {
    const rule = this.opts.stack.receiptRules.find((r) => r.recipients.includes(recipient));
    if (!rule) throw new Error(`no deployed receipt rule accepts mail for ${recipient}`);
    const messageId = randomUUID().replace(/-/g, '');
    const key = `${rule.prefix}${messageId}`;
    const put = await fetch(`${this.opts.endpoint}/${rule.bucket}/${key}`, { method: 'PUT', body: raw });
    if (!put.ok) throw new Error(`storing the mail as s3://${rule.bucket}/${key}: HTTP ${put.status}`);
    let result: unknown;
    try {
      result = await this.invoke(rule.functionName, event({ rule, messageId }));
    } catch (e) {
      this.invocationErrors.push({ role: this.opts.stack.functions.get(rule.functionName)!.role, error: String(e) });
    }
    return { messageId, key, bucket: rule.bucket, result };
  }

  /** What a function printed (its logs), for failure messages. */
  logs(role: string): string {
    return this.containers.get(this.fn(role).name)?.output ?? '';
  }

  async stop() {
    this.running = false;
    await Promise.allSettled(this.pollers);
    if (this.server) {
      this.server.closeAllConnections();
      await new Promise((r) => this.server!.close(r));
    }
    if (this.sesProxy) {
      this.sesProxy.server.closeAllConnections();
      await new Promise((r) => this.sesProxy!.server.close(r));
    }
    await Promise.all([...this.containers.values()].map((c) => c.stop()));
  }
}
