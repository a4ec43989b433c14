/**
 * The AWS-parity tier (npm run test:aws): the stack as `npx cdk synth` builds it, with bundling, deployed
 * through moto's CloudFormation (test/aws/deploy.ts, test/aws/moto-gaps.ts), and the real bundles run
 * with the wiring read back from the deployed stack (test/aws/lambda-runner.ts): their deployed
 * environment, the deployed event-source mappings, routes and schedules, the real AWS adapters talking to
 * moto's DynamoDB, EventBridge, SQS and Secrets Manager, and partner sandboxes on 127.0.0.1.
 * Each scenario asserts what landed where: table items, queue depths, dead-letter queues.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateEmailIdentityCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import MailComposer from 'nodemailer/lib/mail-composer';
import { GetQueueAttributesCommand, GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGenericSandbox, type GenericSandbox } from '../../connectors/generic-rest/sandbox';
import { startServiceNowSandbox, type ServiceNowSandbox } from '../../connectors/servicenow/sandbox';
import { startZendeskDeskSandbox, type ZendeskDeskSandbox } from '../../connectors/zendesk-desk/sandbox';
import { QUEUES } from '../../core/deps';
import { threadRootId } from '../../core/mail';
import type { MailVerdicts } from '../../core/ports';
import { documentClient } from '../../functions/adapters/document-client';
import { MAX_ENVIRONMENT_BYTES } from '../../infra/hub-function';
import { signJwt } from '../../local/jwt';
import { DESK_CREDENTIALS, DESK_TICKET_FIELDS, zendeskDesk } from '../support/desk';
import { uid } from '../support/fixtures';
import { http } from '../support/local-hub';
import { sesReceiptEvent } from '../support/ses-receipt-event';
import { clientConfig, deployToMoto, motoSqs, synthesize, type Deployed, type Synthesized } from './deploy';
import { LambdaRunner, readDeployedStack, type DeployedStack } from './lambda-runner';
import { freePort, startMoto, type Moto } from './moto-server';

const JWT_SECRET = 'aws-parity-jwt-secret';
const engineer = () => signJwt({ sub: 'eng-1', role: 'engineer' }, JWT_SECRET);
const customer = (customerId: string) => signJwt({ sub: `cust-${customerId}`, role: 'customer', customerId }, JWT_SECRET);
const admin = () => signJwt({ sub: 'ops-1', role: 'admin' }, JWT_SECRET);
const whsec = (s: string) => `whsec_${Buffer.from(s).toString('base64')}`;

/** The e-mail partner: the hub sends from a domain verified in SES and receives its replies at `replyTo`. */
const MAIL = { hubDomain: 'hub.aws-parity.test', from: 'escalations@hub.aws-parity.test', replyTo: 'contoso@replies.hub.aws-parity.test', desk: 'support@contoso.example' };

/** The secret values exist only here and in Secrets Manager (moto): never in the template or an environment. */
const SECRETS = {
  ACME_TOKEN: 'acme-token-from-secrets-manager',
  ACME_WEBHOOK_SECRET: whsec('acme-webhook-secret-from-secrets-manager'),
  GLOBEX_TOKEN: 'globex-token-from-secrets-manager',
  GLOBEX_WEBHOOK_SECRET: whsec('globex-webhook-secret-from-secrets-manager'),
  INITECH_USER: 'initech-integration',
  INITECH_PASSWORD: 'initech-password-from-secrets-manager',
  DESK_ZD_TOKEN: 'desk-api-token-from-secrets-manager',
  DESK_ZD_SIGNING_SECRET: 'desk-signing-secret-from-secrets-manager',
};

let moto: Moto;
let acme: GenericSandbox;
let globex: GenericSandbox;
let initech: ServiceNowSandbox;
let desk: ZendeskDeskSandbox;
let synthesized: Synthesized;
let deployed: Deployed;
let stack: DeployedStack;
let runner: LambdaRunner;
let workDir: string;
let db: ReturnType<typeof documentClient>;
let table: string;
const sqs = () => motoSqs(moto.endpoint);

beforeAll(async () => {
  [moto, acme, globex, initech, desk] = await Promise.all([
    startMoto(),
    startGenericSandbox({ token: SECRETS.ACME_TOKEN, webhookSecret: SECRETS.ACME_WEBHOOK_SECRET, numberPrefix: 'ACME' }),
    startGenericSandbox({ token: SECRETS.GLOBEX_TOKEN, webhookSecret: SECRETS.GLOBEX_WEBHOOK_SECRET, numberPrefix: 'GLBX' }),
    startServiceNowSandbox({ username: SECRETS.INITECH_USER, password: SECRETS.INITECH_PASSWORD }),
    startZendeskDeskSandbox({ email: DESK_CREDENTIALS.email, apiToken: SECRETS.DESK_ZD_TOKEN, webhookSecret: SECRETS.DESK_ZD_SIGNING_SECRET, triggerTag: 'partner_related' }),
  ]);
  workDir = mkdtempSync(join(tmpdir(), 'hub-aws-parity-'));
  const hubConfig = join(workDir, 'hub.config.json');
  writeFileSync(hubConfig, JSON.stringify({
    partners: [
      {
        id: 'acme-cloud', name: 'Acme Cloud', platforms: ['acme'], connector: 'generic-rest', baseUrl: acme.baseUrl,
        credentials: { token: '${ACME_TOKEN}' }, webhookSecret: '${ACME_WEBHOOK_SECRET}',
        retry: { maxAttempts: 3, initialDelayMs: 2000, maxDelayMs: 2000 },
      },
      {
        id: 'globex', name: 'Globex', platforms: ['globex'], connector: 'generic-rest', baseUrl: globex.baseUrl,
        credentials: { token: '${GLOBEX_TOKEN}' }, webhookSecret: '${GLOBEX_WEBHOOK_SECRET}', timeoutMs: 1000,
        // an update is due within 60 ms (× 0.5 for high severity): the sweep finds the escalation aged at once
        thresholds: { ticketWithinMinutes: 0.001, partnerUpdateWithinMinutes: 0.001 },
      },
      {
        id: 'initech', name: 'Initech', platforms: ['initech'], connector: 'servicenow', baseUrl: initech.baseUrl,
        credentials: { username: '${INITECH_USER}', password: '${INITECH_PASSWORD}' }, pollIntervalSeconds: 5,
      },
      {
        id: 'contoso', name: 'Contoso (support mailbox)', platforms: ['contoso'], connector: 'email', baseUrl: 'https://support.contoso.example',
        to: MAIL.desk, from: MAIL.from, replyTo: MAIL.replyTo, ticketNumberPattern: 'TrackingID#(\\d+)',
        statusPatterns: [{ pattern: 'being worked on', status: 'in_progress' }], allowedSenders: ['contoso.example'],
      },
    ],
    // the vendor's Zendesk (the desk sandbox): the README's trigger body and mapping, its API token and signing secret in Secrets Manager
    desks: [{ ...zendeskDesk(desk.baseUrl, '${DESK_ZD_SIGNING_SECRET}'), credentials: { email: DESK_CREDENTIALS.email, apiToken: '${DESK_ZD_TOKEN}' } }],
  }, null, 2));
  synthesized = synthesize({ outdir: join(workDir, 'cdk.out'), hubConfig, stackName: 'HubAwsParity', jwtIssuer: 'https://issuer.aws-parity.test/', jwtAudience: 'hub-api' });
  // the runner's front door plays the HTTP API: its address is the API's endpoint (the hub's public URL)
  const frontDoorPort = await freePort();
  deployed = await deployToMoto(moto.endpoint, synthesized, SECRETS, `http://127.0.0.1:${frontDoorPort}`, moto.log);
  stack = await readDeployedStack(moto.endpoint, deployed.stackName, deployed.deployedTemplate, synthesized.outdir, deployed.activeMappings);
  runner = new LambdaRunner({ endpoint: moto.endpoint, stack, jwtSecret: JWT_SECRET });
  await runner.start(frontDoorPort);
  acme.settings.webhookUrl = `${runner.url}/v1/webhooks/acme-cloud`;
  globex.settings.webhookUrl = `${runner.url}/v1/webhooks/globex`;
  desk.settings.webhookUrl = `${runner.url}/v1/desks/vendor-zendesk/events`;
  db = documentClient(new DynamoDBClient(clientConfig(moto.endpoint)));
  table = deployed.outputs.TableName!;
  // SES sends only from verified identities: the operator's step of docs/deploy.md, section 8
  await new SESv2Client(clientConfig(moto.endpoint)).send(new CreateEmailIdentityCommand({ EmailIdentity: MAIL.hubDomain }));
}, 170_000);

afterAll(async () => {
  await runner?.stop();
  await Promise.allSettled([acme?.close(), globex?.close(), initech?.close(), desk?.close()]);
  await moto?.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

/** Whole invocations that failed (not single records): a wiring error, shown with the function's own logs. */
function invocationFailures(): Error | undefined {
  if (!runner?.invocationErrors.length) return undefined;
  const errors = runner.invocationErrors.splice(0);
  return new Error(`invocations failed:\n${errors.map((e) => `${e.role}: ${e.error}\n${runner.logs(e.role).slice(-2000)}`).join('\n')}`);
}

afterEach(() => {
  const failed = invocationFailures();
  if (failed) throw failed;
});

/** Waits for a condition; gives up at once when an invocation fails (nothing will move after a wiring error). */
async function waitFor<T>(what: string, fn: () => Promise<T | false | undefined>, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const failed = invocationFailures();
    if (failed) throw new Error(`while waiting for ${what}: ${failed.message}`);
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function api(method: string, path: string, opts: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {}) {
  const r = await http(runner.url, method, path, opts);
  // a 500 is never expected here: it is a wiring error, shown with the function's own logs
  if (r.status >= 500) throw new Error(`${method} ${path}: ${r.status} ${r.text}\n${[...runner.containers.values()].map((c) => `[${c.fn.role}] ${c.output.slice(-3000)}`).join('\n')}`);
  return r;
}
const flag = (platform: string, over: Record<string, unknown> = {}) => api('POST', '/v1/escalations', {
  token: engineer(), body: { caseId: uid('CASE'), customerId: 'acme-corp', platform, severity: 'high', summary: 'Calls drop after a partner-side change', findings: 'Relay closes sessions.', ...over },
});
const item = async (PK: string, SK = 'META') => (await db.send(new GetCommand({ TableName: table, Key: { PK, SK }, ConsistentRead: true }))).Item;
const escalationItem = (id: string) => item(`ESC#${id}`);
/** The timeline as the engineer route shows it (stored entries and the ones derived from the item). */
const timelineTypes = async (id: string) => ((await api('GET', `/v1/escalations/${id}`, { token: engineer() })).json.timeline as { type: string }[]).map((t) => t.type);
const opened = (id: string, timeoutMs = 30_000) => waitFor(`escalation ${id} to open`, async () => {
  const e = await escalationItem(id);
  return e?.partnerTicket ? e : false;
}, timeoutMs);

/** The queue consumed by the deployed function `role` (from the deployed mappings), and its dead-letter queue (its RedrivePolicy). */
async function queuesOf(role: string, partnerId?: string) {
  const fn = runner.fn(role);
  const candidates = stack.mappings.filter((m) => m.functionName === fn.name);
  let mapping = candidates[0]!;
  if (partnerId) {
    // a partner's work queue is the one its rule targets: read the deployed rule's target
    const urls = JSON.parse(fn.environment.QUEUE_URLS ?? '{}') as Record<string, string>;
    const url = urls[`partner-work-${partnerId}`]!;
    mapping = candidates.find((m) => url.endsWith(`/${m.queueName}`))!;
  }
  const attrs = await sqs().send(new GetQueueAttributesCommand({ QueueUrl: mapping.queueUrl, AttributeNames: ['RedrivePolicy'] }));
  const dlqName = (JSON.parse(attrs.Attributes!.RedrivePolicy!) as { deadLetterTargetArn: string }).deadLetterTargetArn.split(':').pop()!;
  const { QueueUrl: dlqUrl } = await sqs().send(new GetQueueUrlCommand({ QueueName: dlqName }));
  return { queue: mapping, dlqUrl: dlqUrl!, dlqName };
}
async function depth(queueUrl: string) {
  const a = await sqs().send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'] }));
  return Number(a.Attributes!.ApproximateNumberOfMessages) + Number(a.Attributes!.ApproximateNumberOfMessagesNotVisible) + Number(a.Attributes!.ApproximateNumberOfMessagesDelayed);
}

describe('the deployed stack on moto', () => {
  it('wires what the template declares: every function runs from its bundle, every mapping and route has a function', () => {
    const declared = Object.values(deployed.template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function');
    expect(stack.functions.size).toBe(declared.length);
    expect([...stack.functions.values()].map((f) => f.role)).toEqual(expect.arrayContaining(['admin', 'api', 'comment-forwarder', 'partner-worker', 'poller', 'status-sync', 'sweep', 'webhook']));
    for (const f of stack.functions.values()) expect(existsSync(join(f.codeDir, 'index.js'))).toBe(true);
    // Lambda refuses an environment over 4 KB (names and values, as deployed: real ARNs and URLs), moto does not:
    // each deployed one fits, and the synth-time check's estimate (resolvedBytes in infra/hub-function.ts) was not below it
    const deployedBytes = Object.fromEntries([...stack.functions.values()].map((f) => [f.role, Object.entries(f.environment).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0)]));
    expect(Object.entries(deployedBytes).filter(([, bytes]) => bytes > MAX_ENVIRONMENT_BYTES)).toEqual([]);
    expect(Object.entries(deployedBytes).filter(([role, bytes]) => !(bytes <= synthesized.environmentBytes[role]!))).toEqual([]);
    // moto's queue URLs name sqs.<region>.amazonaws.com, not its endpoint: the SQS adapters must still reach moto
    const urls = Object.values(JSON.parse(runner.fn('partner-worker').environment.QUEUE_URLS!) as Record<string, string>);
    expect(urls.length).toBeGreaterThan(0);
    for (const u of urls) expect(new URL(u).host).not.toBe(new URL(moto.endpoint).host);
    // the API's endpoint (the hub's public URL, for partner webhook addresses) is the front door that plays it
    for (const f of stack.functions.values()) if (f.environment.HUB_PUBLIC_URL !== undefined) expect(f.environment.HUB_PUBLIC_URL).toBe(runner.url);
    expect(stack.mappings.map((m) => runner.fn('partner-worker').name === m.functionName).filter(Boolean)).toHaveLength(4);
    expect(stack.mappings.every((m) => m.reportsBatchItemFailures)).toBe(true);
    expect(stack.routes.map((r) => r.routeKey)).toEqual(expect.arrayContaining(['POST /v1/escalations', 'POST /v1/webhooks/{partnerId}', 'GET /v1/admin/dead-letters']));
    expect(stack.schedules.map((s) => stack.functions.get(s.functionName)!.role)).toEqual(expect.arrayContaining(['poller', 'sweep']));
    expect(stack.schedules).toHaveLength(Object.values(deployed.template.Resources).filter((r) => r.Type === 'AWS::Scheduler::Schedule').length);
    // the e-mail partner's replies: stored in the stack's mail bucket, then handed to mail-inbound
    expect(stack.receiptRules).toEqual([expect.objectContaining({ recipients: [MAIL.replyTo], prefix: 'inbound/', functionName: runner.fn('mail-inbound').name, invocationType: 'Event' })]);
    expect(runner.fn('mail-inbound').environment).toEqual(expect.objectContaining({ INBOUND_MAIL_BUCKET: stack.receiptRules[0]!.bucket, INBOUND_MAIL_PREFIX: 'inbound/' }));
  });

  it('1. flag → partner ticket at the sandbox → signed partner webhook → resolved → customer view', async () => {
    const caseId = uid('CASE');
    const created = await flag('acme', { caseId });
    expect(created.status).toBe(202);
    const id = created.json.escalationId as string;
    const esc = await opened(id);
    expect(esc.status).toBe('open');
    const incident = acme.incidents.get(esc.partnerTicket.id)!;
    expect(incident.externalRef).toBe(`hub:${id}`);
    expect(await item(`PTKT#acme-cloud#${incident.id}`)).toEqual(expect.objectContaining({ escalationId: id }));
    expect(await item(`CASE#${caseId}`, 'PARTNER#acme-cloud')).toEqual(expect.objectContaining({ escalationId: id }));

    // the sandbox signs a Standard Webhook with the secret from Secrets Manager; the webhook function verifies it
    await acme.move(incident.id, 'resolved', 'Relay configuration rolled back');
    const resolved = await waitFor('resolved', async () => {
      const e = await escalationItem(id);
      return e?.status === 'resolved' ? e : false;
    });
    expect(resolved.partnerTicket.number).toBe(incident.number);
    // the status sync saves the escalation, then records the update: wait for the record
    await waitFor('the update in the timeline', async () => (await timelineTypes(id)).includes('partner_update'));
    expect(await timelineTypes(id)).toEqual(expect.arrayContaining(['escalation_requested', 'partner_incident_opened', 'partner_update']));

    const view = await api('GET', `/v1/customer/cases/${caseId}/partner-incidents`, { token: customer('acme-corp') });
    expect(view.status).toBe(200);
    expect(view.json.incidents).toEqual([expect.objectContaining({ ticketNumber: incident.number, status: 'resolved', partnerName: 'Acme Cloud' })]);
    expect((await api('GET', `/v1/customer/cases/${caseId}/partner-incidents`, { token: customer('someone-else') })).status).toBe(404);

    // a forged webhook is refused and lands nowhere
    const forged = await api('POST', '/v1/webhooks/acme-cloud', { raw: '{"type":"incident.updated"}', headers: { 'webhook-id': 'msg_forged', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)), 'webhook-signature': 'v1,AAAA' } });
    expect(forged.status).toBe(401);
    expect(await item('HOOK#acme-cloud#msg_forged')).toBeUndefined();

    const work = await queuesOf('partner-worker', 'acme-cloud');
    const inbound = await queuesOf('status-sync');
    await waitFor('work and inbound queues drained', async () => (await depth(work.queue.queueUrl)) + (await depth(inbound.queue.queueUrl)) === 0);
    expect(await depth(work.dlqUrl)).toBe(0);
    expect(await depth(inbound.dlqUrl)).toBe(0);
  });

  it('2. a partner 503 then success: the retry travels as an SQS delay, and the escalation opens once', async () => {
    acme.faults.push({ status: 503, match: (c) => c.method === 'POST' && c.path === '/incidents' });
    const created = await flag('acme');
    const id = created.json.escalationId as string;
    const esc = await opened(id);
    expect(acme.faults).toHaveLength(0);
    expect(esc.attempts).toBe(2);
    expect([...acme.incidents.values()].filter((i) => i.externalRef === `hub:${id}`)).toHaveLength(1);
    expect(await timelineTypes(id)).toEqual(expect.arrayContaining(['partner_attempt_failed', 'partner_incident_opened']));

    const work = await queuesOf('partner-worker', 'acme-cloud');
    const mine = runner.deliveries.filter((d) => d.queueName === work.queue.queueName && d.body.includes(id));
    // first the EventBridge event (rule → queue), then the worker's own retry message: { escalationId } with DelaySeconds ≥ 1
    expect(mine.map((d) => ('detail' in JSON.parse(d.body) ? 'event' : 'retry'))).toEqual(['event', 'retry']);
    const retry = mine[1]!;
    expect(JSON.parse(retry.body)).toEqual({ escalationId: id });
    expect(retry.receiveCount).toBe(1);
    expect(retry.firstReceivedAt - retry.sentAt).toBeGreaterThanOrEqual(1000);
    expect(await depth(work.dlqUrl)).toBe(0);
  });

  it('4. the sweep and the poller run with their schedules\' target input', async () => {
    // sweep: a Globex escalation is overdue for a partner update within milliseconds (its thresholds)
    const created = await flag('globex');
    const id = created.json.escalationId as string;
    await opened(id);
    const results: unknown[] = [];
    const aged = await waitFor('the sweep to report the escalation aged', async () => {
      results.push(await runner.runSchedule('sweep'));
      const e = await escalationItem(id);
      return e?.agedFor?.length ? e : false;
    });
    expect(aged.agedFor).toEqual(expect.arrayContaining([expect.any(String)]));
    expect(results).toEqual(expect.arrayContaining([expect.objectContaining({ aged: expect.any(Number) })]));
    expect(await timelineTypes(id)).toContain('escalation_aged');

    // poller: Initech (ServiceNow) sends no webhooks; a resolved incident is found by polling
    const polled = await flag('initech');
    const pid = polled.json.escalationId as string;
    const esc = await opened(pid);
    await initech.move(esc.partnerTicket.id, '6');
    const result = await runner.runSchedule('poller') as { partners: Record<string, unknown> };
    expect(result.partners.initech).toBe(1);
    expect(await escalationItem(pid)).toEqual(expect.objectContaining({ status: 'resolved' }));
  });

  it('5. partner credentials come from Secrets Manager, never from the template or an environment', async () => {
    // the sandboxes answer 401 to any other credentials: calls that got through carried the secret values
    expect(acme.calls.length).toBeGreaterThan(0);
    expect(initech.calls.length).toBeGreaterThan(0);
    const template = JSON.stringify(deployed.template);
    for (const value of Object.values(SECRETS)) {
      expect(template).not.toContain(value);
      for (const f of stack.functions.values()) expect(Object.values(f.environment).join('\n')).not.toContain(value);
    }
    // read by name: each reference is the secret <prefix><NAME>, which the deployment created
    expect(runner.fn('partner-worker').environment.HUB_SECRET_PREFIX).toBe('partner-escalation-hub/');
    for (const name of Object.keys(SECRETS)) expect(deployed.secretArns[`partner-escalation-hub/${name}`]).toBeDefined();
    // functions that never call partners are deployed without them
    expect(runner.fn('sweep').environment.HUB_SECRET_PREFIX).toBeUndefined();
    expect(runner.fn('sweep').environment.HUB_SECRETS_WITHHELD).toBe('true');
  });

  it('3. a comment to a partner that is down is retried, dead-lettered, and listed by the admin route', async () => {
    const created = await flag('globex');
    const id = created.json.escalationId as string;
    await opened(id);
    await globex.close(); // the partner is down: connections are refused
    const comment = await api('POST', `/v1/escalations/${id}/comments`, { token: engineer(), body: { body: 'Please check the relay logs' } });
    expect(comment.status).toBe(202);

    const comments = await queuesOf('comment-forwarder');
    // the bus rule routes CommentAdded to the queue the comment forwarder consumes
    await waitFor('CommentAdded on the comment forwarder\'s queue', async () => runner.deliveries.some((d) => d.queueName === comments.queue.queueName && d.body.includes(id)), 15_000);
    const triesOf = () => runner.deliveries.filter((d) => d.queueName === comments.queue.queueName && d.body.includes(id));
    // dead-lettered, or (a failure swallowed somewhere) deleted as done: either ends the wait
    await waitFor('the comment to be dead-lettered', async () => (await depth(comments.dlqUrl)) === 1 || triesOf().some((d) => !d.failed));
    const tries = triesOf();
    expect(tries.map((d) => [d.receiveCount, d.failed])).toEqual([[1, true], [2, true], [3, true], [4, true], [5, true]]);
    expect(await depth(comments.queue.queueUrl)).toBe(0);

    const listed = await api('GET', '/v1/admin/dead-letters', { token: admin() });
    expect(listed.status).toBe(200);
    const mine = (listed.json.items as { escalationId: string | null }[]).filter((i) => i.escalationId === id);
    expect(mine).toEqual([expect.objectContaining({ queue: QUEUES.comments, messageId: tries[0]!.messageId, lastError: expect.stringMatching(/globex|ECONNREFUSED|connect/i) })]);
    expect((await api('GET', '/v1/admin/dead-letters', { token: engineer() })).status).toBe(403);
  });

  it('6. a customer status link: minted by the api function with the stack-generated key, opened as a session', async () => {
    const caseId = uid('CASE');
    const created = await flag('acme', { caseId });
    const esc = await opened(created.json.escalationId as string);
    const minted = await api('POST', '/v1/status-links', { token: engineer(), body: { customerId: 'acme-corp', caseId } });
    expect(minted.status).toBe(201);
    expect(minted.json.path).toMatch(new RegExp(`^/status/cases/${caseId}\\?link=`));

    // the link becomes a session cookie and a redirect to the clean address
    const first = await fetch(runner.url + minted.json.path, { redirect: 'manual' });
    expect(first.status).toBe(303);
    const cookie = first.headers.get('set-cookie')!.split(';')[0]!;
    const page = await fetch(`${runner.url}/status/cases/${caseId}`, { headers: { cookie } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(esc.partnerTicket.number);
    expect(html).not.toContain('Relay closes sessions'); // findings are engineer-only

    // the key is the one the stack generated in Secrets Manager, and only the api function may read it
    const keyArn = Object.entries(deployed.secretArns).find(([name]) => name.endsWith('/status-link-key'))?.[1];
    expect(keyArn).toBeDefined();
    expect(runner.fn('api').environment.HUB_SESSION_SECRET_ARN).toBe(keyArn);
    for (const f of stack.functions.values()) if (f.role !== 'api') expect(f.environment.HUB_SESSION_SECRET_ARN).toBeUndefined();
    // a link signed with any other key is refused
    const forged = await fetch(`${runner.url}/status/cases/${caseId}?link=${minted.json.path.split('link=')[1].replace(/.$/, (c: string) => (c === 'A' ? 'B' : 'A'))}`, { redirect: 'manual' });
    expect(forged.status).toBe(401);
  });

  it('7. e-mail: the opening mail leaves through SES; the partner\'s reply, stored and announced as SES does, brings its tracking number', async () => {
    const created = await flag('contoso');
    expect(created.status).toBe(202);
    const id = created.json.escalationId as string;
    const ref = `hub:${id}`;

    // partner worker → the email connector → SES: what SES was asked to send (SES builds the MIME from it)
    type Simple = { Subject: { Data: string }; Body: { Text: { Data: string } }; Headers: { Name: string; Value: string }[] };
    const call = await waitFor('the opening mail sent through SES', async () => runner.sesCalls.find((c) => JSON.stringify(c.body).includes(`[${ref}]`)));
    const sent = call.body as { FromEmailAddress: string; Destination: { ToAddresses: string[] }; ReplyToAddresses: string[]; Content: { Simple: Simple } };
    expect(sent).toEqual(expect.objectContaining({ FromEmailAddress: MAIL.from, Destination: { ToAddresses: [MAIL.desk] }, ReplyToAddresses: [MAIL.replyTo] }));
    expect(sent.Content.Simple.Subject.Data).toContain(`[${ref}]`);
    expect(sent.Content.Simple.Body.Text.Data).toContain('Relay closes sessions');
    expect(sent.Content.Simple.Headers).toEqual([{ Name: 'References', Value: `<${threadRootId(ref, MAIL.hubDomain)}>` }]);
    await waitFor('the escalation to record the mail', async () => (await escalationItem(id))?.partnerTicket);

    // the desk replies in the thread: SES gave the hub's mail its own Message-ID, the thread's root stays in References
    const sesId = `${uid('ses')}@email.amazonses.com`;
    const reply = (text: string) => new MailComposer({
      from: 'Contoso Support <agent@contoso.example>', to: MAIL.replyTo, subject: `RE: [${ref}] Calls drop TrackingID#4815162342`,
      text: `${text}\n\n> quoted history of the hub's mail`, messageId: `<${uid('reply')}@contoso.example>`,
      inReplyTo: `<${sesId}>`, references: [`<${threadRootId(ref, MAIL.hubDomain)}>`, `<${sesId}>`],
    }).compile().build();
    const announced = (verdicts: Partial<MailVerdicts> = {}) => ({ messageId }: { messageId: string }) =>
      sesReceiptEvent({ messageId, recipients: [MAIL.replyTo], functionArn: runner.fn('mail-inbound').arn, verdicts });
    // SES's verdicts are enforced: the same reply failing SPF is recorded and dropped
    const spoofed = await runner.receiveMail(MAIL.replyTo, await reply('Spoofed: TrackingID#999'), announced({ spf: 'FAIL' }));
    expect(spoofed.result).toEqual([expect.objectContaining({ kind: 'dropped' })]);
    const taken = await runner.receiveMail(MAIL.replyTo, await reply('Your case is being worked on by our relay team.'), announced());
    expect(taken.result).toEqual([expect.objectContaining({ kind: 'accepted', escalationId: id, partnerId: 'contoso' })]);

    // inbound queue → status sync: the tracking number, and the status the desk's words name
    const esc = await waitFor('the tracking number', async () => {
      const e = await escalationItem(id);
      return e?.partnerTicket?.number === '4815162342' ? e : false;
    });
    expect(esc.status).toBe('in_progress');
    // the status sync saves the escalation, then records the update and the mail's text in its timeline: wait for the text
    const timeline = await waitFor('the reply in the timeline', async () => {
      const t = JSON.stringify((await api('GET', `/v1/escalations/${id}`, { token: engineer() })).json.timeline);
      return t.includes('being worked on by our relay team') && t;
    });
    expect(timeline).toContain(`s3://${taken.bucket}/${taken.key}`);
    expect(timeline).not.toContain('quoted history');
    expect(timeline).not.toContain('TrackingID#999');
    const inbound = await queuesOf('status-sync');
    await waitFor('the inbound queue drained', async () => (await depth(inbound.queue.queueUrl)) === 0);
    expect(await depth(inbound.dlqUrl)).toBe(0);
  });

  it('8. a Zendesk desk: a tagged ticket flags through the deployed webhook function; the partner ticket number comes back through the desk-writeback queue, with no echo', async () => {
    const findings = 'DESK-FINDINGS: relay timeouts in the device logs';
    const t = await desk.create({ subject: 'Rooms drop out of calls', description: findings, priority: 'high', organizationExternalId: 'acme-corp', platform: 'acme' });
    const deliveries = () => desk.deliveries.filter((d) => d.ticketId === t.id);
    expect(deliveries()).toHaveLength(0); // not partner-related yet: the trigger does not fire
    // an agent tags the ticket: the trigger posts its body, signed with the secret from Secrets Manager, to the deployed route
    await desk.tag(t.id, 'partner_related');
    expect(deliveries().map((d) => d.status)).toEqual([202]);

    // the webhook function flagged the case as POST /v1/escalations would, remembering the desk
    const caseId = String(t.id);
    const link = await item(`CASE#${caseId}`, 'PARTNER#acme-cloud');
    expect(link).toEqual(expect.objectContaining({ escalationId: expect.any(String) }));
    const id = link!.escalationId as string;
    const esc = await opened(id);
    expect(esc).toEqual(expect.objectContaining({ deskId: 'vendor-zendesk', caseId, customerId: 'acme-corp', severity: 'high', summary: 'Rooms drop out of calls', createdBy: 'desk:vendor-zendesk' }));
    const incident = acme.incidents.get(esc.partnerTicket.id)!;
    expect(incident.externalRef).toBe(`hub:${id}`);

    // PartnerIncidentOpened → the desk-writeback rule → its queue → the desk-writeback function → PUT on the desk ticket
    const field = (fieldId: number) => desk.tickets.get(t.id)!.custom_fields.find((f) => f.id === fieldId)?.value;
    await waitFor('the partner ticket number in the desk ticket\'s field', async () => field(DESK_TICKET_FIELDS.ticketNumberField) === incident.number);
    expect(field(DESK_TICKET_FIELDS.statusField)).toBe('open');
    const writeback = await queuesOf('desk-writeback');
    expect(runner.deliveries.filter((d) => d.queueName === writeback.queue.queueName && d.body.includes(id)).map((d) => JSON.parse(d.body)['detail-type'])).toEqual(['PartnerIncidentOpened']);

    // the partner resolves its incident: its signed webhook → status sync → PartnerStatusChanged → the desk, in order
    await acme.move(incident.id, 'resolved', 'Relay configuration rolled back');
    await waitFor('the resolved status in the desk ticket\'s field', async () => field(DESK_TICKET_FIELDS.statusField) === 'resolved');
    const comments = desk.comments.filter((c) => c.ticketId === t.id);
    expect(comments).toEqual([
      { ticketId: t.id, public: true, body: expect.stringContaining(`opened ticket ${incident.number}`) },
      { ticketId: t.id, public: true, body: expect.stringContaining(`ticket ${incident.number} is now resolved`) },
    ]);
    for (const c of comments) expect(c.body).not.toContain(findings); // customer-visible: never the findings
    expect(desk.tickets.get(t.id)!.tags).toContain('hub_synced');

    // no echo: the hub's writes went through the API, which the trigger excludes; still one delivery, one escalation
    expect(deliveries()).toHaveLength(1);
    expect((await api('GET', `/v1/escalations?caseId=${caseId}`, { token: engineer() })).json.items).toHaveLength(1);
    // an event the desk did not sign is refused
    const forged = await api('POST', '/v1/desks/vendor-zendesk/events', { raw: deliveries()[0]!.body, headers: { 'x-zendesk-webhook-signature': 'AAAA', 'x-zendesk-webhook-signature-timestamp': new Date().toISOString() } });
    expect(forged.status).toBe(401);

    await waitFor('the desk-writeback queue drained', async () => (await depth(writeback.queue.queueUrl)) === 0);
    expect(await depth(writeback.dlqUrl)).toBe(0);
  });
});
