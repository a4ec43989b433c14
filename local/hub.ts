/**
 * The whole hub in one process, built from `topology/topology.ts`: embedded DynamoDB, HTTP front door,
 * in-process bus and queues with SQS semantics, the schedules, partner sandboxes, and for partners reached
 * by e-mail an SMTP listener (in place of SES receiving) and an SMTP transport (in place of SES sending).
 * Each function gets only what its AWS function is granted (`topology/access.ts`, through grantedDeps as in AWS).
 */
import { createHmac } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { buildCollaborationRegistry } from '../connectors/collaboration-registry';
import { buildRegistry } from '../connectors/registry';
import { buildTicketingRegistry } from '../connectors/ticketing-registry';
import { parsePartnerMail } from '../connectors/email/parse';
import { DESK_RELAY } from '../connectors/email/sandbox';
import { buildPollerRegistry } from '../connectors/poller-registry';
import { buildWebhookRegistry } from '../connectors/webhook-registry';
import { buildDeskRegistry } from '../connectors/desk-registry';
import { makeDeskWritebackHandler } from '../functions/desk-writeback';
import { runDoctor } from '../connectors/doctor';
import { deskSandboxWanted, sandboxesWanted } from '../connectors/sandboxes';
import type { PartnerKind } from '../connectors/kinds';
import type { Sandbox } from '../connectors/sandbox';
import type { HubConfig } from '../core/config';
import type { HubDeps, Log } from '../core/deps';
import { logHandling } from '../core/log';
import { systemClock, type Clock, type ConnectorRegistry, type MailTransport } from '../core/ports';
import { ingestPartnerMail, type MailDeps } from '../core/use-cases/ingest-partner-mail';
import { documentClient } from '../functions/adapters/document-client';
import { DynamoEscalationStore } from '../functions/adapters/dynamo-store';
import { grantedDeps, onlyQueues, type UngrantedDeps } from '../functions/adapters/grants';
import { newEscalationId } from '../functions/adapters/hub-deps';
import { makeApiHandler } from '../functions/api';
import { makeCommentForwarderHandler } from '../functions/comment-forwarder';
import { makePartnerWorkerHandler } from '../functions/partner-worker';
import { makeStatusSyncHandler } from '../functions/status-sync';
import { makeSweepHandler } from '../functions/sweep';
import { makeWebhookHandler } from '../functions/webhook';
import { makeAdminHandler } from '../functions/admin';
import { localDeadLetters } from './dead-letters';
import { makeNotifierHandler } from '../functions/notifier';
import { makePollerHandler } from '../functions/poller';
import { makeMeetingSubscriptionsHandler } from '../functions/meeting-subscriptions';
import { notificationChannel, outboxEmailSender } from '../connectors/notify/channels';
import { ACCESS, queuesGranted, type AccessProfile, type ConnectorSet } from '../topology/access';
import { buildTopology, type FunctionName, type Topology } from '../topology/topology';
import { LocalBus } from './bus';
import { grantedTable, LOCAL_TABLE, startDynalite } from './dynamo';
import { createLocalHttpServer } from './http-server';
import { PendingWork } from './pending-work';
import { LocalQueue, LocalWorkQueue, type SqsConsumer } from './queues';
import { MailRefusedError, startSmtpListener, type SmtpListener } from './smtp-listener';
import { smtpMailTransport } from './smtp-transport';

export interface LocalHubOptions {
  config: HubConfig;
  /**
   * What `hub doctor` (the admin route) checks: the configuration as written, with the environment its
   * `${NAME}`s resolve from (npm start: the file and the process's). Default: `config`, resolved already.
   */
  doctorSource?: { raw: unknown; env: Record<string, string | undefined> };
  /** Where dynalite keeps its files; `memory` keeps nothing. */
  dataDir: string;
  port?: number;
  /** The SMTP listener's port (`HUB_SMTP_PORT`; 0, the default: any free one), when a partner is reached by e-mail. */
  smtpPort?: number;
  jwtSecret: string;
  /** Signs customer status-page links; derived from the JWT secret when not given. */
  sessionKey?: string;
  log: Log;
  /** Where e-mail notifications go locally (JSON lines); default beside the data directory. */
  outboxPath?: string;
  /** Multiplies the topology's visibility timeouts (tests: a failed message comes back in ms, not minutes). */
  queueTimeScale?: number;
  /** How often the sweep runs (AWS: every minute; locally sooner). */
  sweepIntervalMs?: number;
  clock?: Clock;
  /** The hub's public base URL handed to providers for webhooks (subscriptions); default: this runtime's own URL. */
  publicUrl?: string;
  /** What a function is granted instead of its AWS profile (topology/access.ts): tests of a missing grant. */
  access?: Partial<Record<FunctionName, AccessProfile>>;
}

export interface LocalHub {
  url: string;
  port: number;
  /** Where partners' mail comes in (`smtp://127.0.0.1:<port>`), when a partner is reached by e-mail. */
  smtp?: { url: string; port: number } | undefined;
  /** Every part, ungranted: for tests and tools acting as no function (each function gets only its grants). */
  deps: HubDeps;
  topology: Topology;
  queues: Map<string, LocalQueue>;
  bus: LocalBus;
  sandboxes: Map<string, Sandbox>;
  /** Runs the scheduled function now (tests, `hub` tools). */
  runSchedule(name: string): Promise<unknown>;
  stop(): Promise<void>;
}

/** Where each kind of connector's webhooks arrive, after `/v1/webhooks/{partnerId}` (topology: the webhook routes). */
const WEBHOOK_ROUTE_SUFFIX: Record<PartnerKind, string> = { ticketing: '', collaboration: '/collaboration', serviceHealth: '/service-health' };

/**
 * The registry of each set of connectors (topology/access.ts `connectors`), as each Lambda function builds
 * it; the partner calls with `mail`, how the email connector sends (SES in AWS).
 */
const connectorSets = (mail: MailTransport): Record<ConnectorSet, (config: HubConfig) => ConnectorRegistry> => ({
  'partner-calls': (config) => buildTicketingRegistry(config, { mail }), meetings: buildCollaborationRegistry, webhooks: buildWebhookRegistry,
  polling: buildPollerRegistry, desks: buildDeskRegistry,
});

/**
 * A partner's mail as the mail-inbound function takes it from SES, the stored raw mail read and ingested
 * (matched, checked, applied or recorded and dropped; ingestPartnerMail logs which). A mail that cannot be
 * parsed never will be: refused.
 */
async function takePartnerMail(deps: MailDeps, raw: Uint8Array, storedAt: string): Promise<void> {
  const mail = await parsePartnerMail(raw).catch((err: unknown) => { throw new MailRefusedError(`unreadable mail: ${err instanceof Error ? err.message : String(err)}`); });
  await ingestPartnerMail(deps, mail, { storedAt });
}

/** Requests in flight at the front door from which it counts as a burst (the queues give way). */
const BURST_REQUESTS = 16;

/** `.hub/data` → `.hub/outbox.jsonl`; with `memory`, a file in the system's temporary directory. */
const outboxBeside = (dataDir: string) => (dataDir === 'memory' ? join(tmpdir(), `hub-outbox-${process.pid}.jsonl`) : join(dirname(dataDir), 'outbox.jsonl'));

export async function startLocalHub(opts: LocalHubOptions): Promise<LocalHub> {
  const { config, log } = opts;
  const topology = buildTopology(config.partners, config.subscribers, config.desks);
  const dynamo = await startDynalite(opts.dataDir, { log });

  // requests the front door is answering at once above which the queue consumers give way (LocalQueueOptions.yieldTo)
  let frontDoorBusy = () => false;
  const queues = new Map<string, LocalQueue>();
  for (const q of topology.queues) {
    const dlq = new LocalQueue({ name: `${q.name}-dlq`, visibilityTimeoutMs: 30_000 });
    queues.set(dlq.name, dlq);
    queues.set(q.name, new LocalQueue({
      name: q.name, visibilityTimeoutMs: q.visibilityTimeoutSeconds * 1000 * (opts.queueTimeScale ?? 1), maxReceiveCount: q.maxReceiveCount,
      batchSize: q.batchSize, maxConcurrency: q.maxConcurrency, deadLetter: dlq, yieldTo: () => frontDoorBusy(),
      onError: (queue, err) => log.error('queue consumer failed', { queue, error: String(err) }),
    }));
  }
  const bus = new LocalBus(topology.rules.map((r) => ({ name: r.name, pattern: r.pattern, target: queues.get(r.targetQueue)! })));

  const workQueue = new LocalWorkQueue(queues);
  // partners' mail goes to their profile's `smtp` relay, else to the sandbox mail desk's
  const mail = smtpMailTransport(DESK_RELAY);
  const connectorSet = connectorSets(mail);
  const connectors = buildRegistry(config, { mail });
  let publicUrl = opts.publicUrl; // this runtime's own URL once it listens, unless given
  const given: UngrantedDeps = { config, clock: opts.clock ?? systemClock, newId: newEscalationId, random: Math.random, log };
  // every part, ungranted: for tests and tools that act as no function (hub.deps)
  const db = documentClient(dynamo.client);
  const deps: HubDeps = { ...given, store: new DynamoEscalationStore(db, LOCAL_TABLE), bus, queue: workQueue, connectors };
  // each function gets what its AWS function is granted, so that an end-to-end run fails where AWS would
  const access = { ...ACCESS, ...opts.access };
  const depsOf = (fn: FunctionName) => grantedDeps(fn, access[fn], given, {
    store: (table) => new DynamoEscalationStore(grantedTable(db, fn, table), LOCAL_TABLE),
    bus: () => bus,
    queue: () => onlyQueues(fn, workQueue, queuesGranted(fn, access[fn].sendTo, topology.queues).map((q) => q.name)),
    // the set of connectors its Lambda function builds: its partner calls, its meetings or its webhooks only
    connectors: (set) => connectorSet[set](config),
    publicUrl: () => publicUrl,
  });

  const consumers: Partial<Record<FunctionName, SqsConsumer>> = {
    'partner-worker': makePartnerWorkerHandler(depsOf('partner-worker')),
    'status-sync': makeStatusSyncHandler(depsOf('status-sync')),
    'comment-forwarder': makeCommentForwarderHandler(depsOf('comment-forwarder')),
    notifier: makeNotifierHandler(depsOf('notifier'), notificationChannel(outboxEmailSender(opts.outboxPath ?? outboxBeside(opts.dataDir), log))),
    ...(config.desks.length ? { 'desk-writeback': makeDeskWritebackHandler(depsOf('desk-writeback')) } : {}),
  };
  for (const q of topology.queues) {
    const consumer = consumers[q.consumer];
    if (!consumer) throw new Error(`no local consumer for function ${q.consumer}`);
    queues.get(q.name)!.attach(consumer);
  }

  const scheduled: Partial<Record<FunctionName, () => Promise<unknown>>> = {
    sweep: makeSweepHandler(depsOf('sweep')), poller: makePollerHandler(depsOf('poller')),
    'meeting-subscriptions': makeMeetingSubscriptionsHandler(depsOf('meeting-subscriptions')),
  };
  const scheduleRuns = new PendingWork();
  const runSchedule = async (name: string) => {
    const s = topology.schedules.find((x) => x.name === name);
    const fn = s && scheduled[s.function];
    if (!fn) throw new Error(`no schedule ${name}`);
    return scheduleRuns.track(fn());
  };
  let stopping = false;
  const timers = topology.schedules.map((s) => {
    let running = false;
    const tick = () => {
      if (running || stopping) return;
      running = true;
      runSchedule(s.name).catch((err) => log.error('schedule failed', { schedule: s.name, error: String(err) })).finally(() => { running = false; });
    };
    const t = setInterval(tick, opts.sweepIntervalMs ?? s.everyMinutes * 60_000);
    setImmediate(tick); // after a restart, pick up whatever was in flight
    return t;
  });

  const server = createLocalHttpServer({
    routes: topology.routes,
    handlers: {
      api: makeApiHandler(depsOf('api'), { sessionKey: opts.sessionKey ?? createHmac('sha256', opts.jwtSecret).update('status-links').digest('base64url') }),
      webhook: makeWebhookHandler(depsOf('webhook')),
      admin: makeAdminHandler(depsOf('admin'), localDeadLetters(queues, topology.queues.map((q) => q.name)),
        () => runDoctor(opts.doctorSource?.raw ?? config, { env: opts.doctorSource?.env ?? {}, publicUrl })),
    },
    jwtSecret: opts.jwtSecret,
    log,
  });
  frontDoorBusy = () => server.inFlight() >= BURST_REQUESTS;
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(opts.port ?? 0, '127.0.0.1', resolve); });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  publicUrl ??= url;
  deps.publicUrl = publicUrl;

  // partners' mail, stored first, then ingested with the mail-inbound function's grants, as SES receiving
  // stores it and invokes that function in AWS
  let smtp: SmtpListener | undefined;
  if (topology.mail) {
    const mailDeps = depsOf(topology.mail.function);
    smtp = await startSmtpListener({
      port: opts.smtpPort ?? 0, dataDir: opts.dataDir, log,
      onMail: (raw, storedAt) => logHandling({ storedMail: storedAt }, () => takePartnerMail(mailDeps, raw, storedAt)),
    });
  }

  const sandboxes = new Map<string, Sandbox>();
  for (const p of config.partners) {
    for (const { kind, start, port } of sandboxesWanted(p)) {
      // named, and posting its webhooks, as the hub's webhook route of the kind: /v1/webhooks/{partnerId}[/collaboration]
      // (a service-health source posts none: its sandbox is only named so)
      const name = `${p.id}${WEBHOOK_ROUTE_SUFFIX[kind]}`;
      sandboxes.set(name, await start({ port, webhookUrl: `${url}/v1/webhooks/${name}`, ...(smtp ? { mailTo: smtp.url } : {}) }));
    }
  }
  for (const d of config.desks) {
    // a desk's sandbox fires its trigger webhook at the desk's events route
    for (const { start, port } of deskSandboxWanted(d)) sandboxes.set(`desk:${d.id}`, await start({ port, webhookUrl: `${url}/v1/desks/${d.id}/events` }));
  }

  return {
    url, port, smtp: smtp && { url: smtp.url, port: smtp.port }, deps, topology, queues, bus, sandboxes, runSchedule,
    async stop() {
      stopping = true;
      timers.forEach(clearInterval);
      // no new mail; the mails being ingested finish while the store and the queues still take their work
      // (a sender cut off by the close is answered 421 and sends the mail again: ingesting is idempotent)
      await smtp?.close();
      for (const q of queues.values()) q.stop();
      // no new connections; then let the requests, batches and schedule runs already started finish with the store open
      const closed = new Promise<void>((r) => server.close(() => r()));
      await Promise.all([server.settled(), scheduleRuns.settled(), ...[...queues.values()].map((q) => q.settled())]);
      // answers written, give them a moment to flush before cutting what is left
      server.closeIdleConnections();
      await Promise.race([closed, new Promise((r) => setTimeout(r, 1000).unref())]);
      server.closeAllConnections();
      await closed;
      for (const s of sandboxes.values()) await s.close();
      await dynamo.close();
    },
  };
}
