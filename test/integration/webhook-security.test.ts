/**
 * Webhook security for every connector that signs: signatures checked over the raw bytes (a re-serialized
 * body fails), stale and future timestamps refused, wrong secrets refused, two secrets valid at once while
 * rotating, and a replayed delivery id acknowledged but not applied twice. Signatures are computed here
 * from each partner's documented formula, independently of the connectors' code.
 */
import { createHmac } from 'node:crypto';
import { buildRegistry } from '../../connectors/registry';
import { parseHubConfig } from '../../core/config';
import { silentLog, type HubDeps } from '../../core/deps';
import type { RawWebhook } from '../../core/ports';
import { ingestWebhook } from '../../core/use-cases/ingest-webhook';
import { ingestCollaborationWebhook } from '../../core/use-cases/joint-calls';
import { documentClient } from '../../functions/adapters/clients';
import { DynamoEscalationStore } from '../../functions/adapters/dynamo-store';
import { LOCAL_TABLE, startDynalite } from '../../local/dynamo';
import { FakeClock, RecordingBus, RecordingQueue, uid } from '../support/fixtures';

const whsec = (s: string) => 'whsec_' + Buffer.from(s).toString('base64');
const SECRETS = {
  generic: [whsec('generic-new'), whsec('generic-old')],
  servicenow: [whsec('snow-new'), whsec('snow-old')],
  zendesk: ['zendesk-new-signing-secret', 'zendesk-old-signing-secret'],
  jira: ['jira-new-secret', 'jira-old-secret'],
  zoom: ['zoom-new-secret-token', 'zoom-old-secret-token'],
  tsanet: ['tsanet-new-secret', 'tsanet-old-secret'],
};
const hmac = (key: string | Buffer, data: string | Buffer, enc: 'base64' | 'hex') => createHmac('sha256', key).update(data).digest(enc);
const cat = (...parts: (string | Buffer)[]) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)));

interface Scheme {
  partnerId: string;
  collaboration?: boolean;
  secrets: string[];
  /** A valid body whose signed time is `t` (seconds); `id` makes it distinct (two deliveries of the same signed content are one). */
  body(t: number, id: string): string;
  /** Signs the body's bytes exactly as they will be sent. */
  sign(secret: string, id: string, t: number, body: Buffer): Record<string, string>;
  /** Whether the scheme bounds replays by time (Jira's by the signed body time). */
  timed: boolean;
  /** Headers that carry a delivery id (signed or not): a replay may change them. */
  idHeaders: string[];
}

const standard = (partnerId: string, secrets: string[], body: (t: number, id: string) => string): Scheme => ({
  partnerId, secrets, body, timed: true, idHeaders: ['webhook-id'],
  sign: (secret, id, t, b) => ({ 'webhook-id': id, 'webhook-timestamp': String(t), 'webhook-signature': `v1,${hmac(Buffer.from(secret.slice(6), 'base64'), cat(`${id}.${t}.`, b), 'base64')}` }),
});

const SCHEMES: Scheme[] = [
  standard('generic', SECRETS.generic, (t) => JSON.stringify({ type: 'incident.updated', data: { id: 'T-1', status: 'in_progress', updatedAt: new Date(t * 1000).toISOString() } })),
  standard('servicenow', SECRETS.servicenow, (t) => JSON.stringify({ type: 'incident.updated', data: { sys_id: 'a1b2', number: 'INC0010001', state: '2', sys_updated_on: new Date(t * 1000).toISOString().replace('T', ' ').slice(0, 19) } })),
  {
    partnerId: 'zendesk', secrets: SECRETS.zendesk, timed: true, idHeaders: ['x-zendesk-webhook-invocation-id'],
    // distinct deliveries carry distinct content (a trigger's fields); the same content at the same time is a replay
    body: (t, id) => JSON.stringify({ ticket: { id: '35436', status: 'open', external_id: 'hub:esc_1', updated_at: new Date(t * 1000).toISOString(), latest_comment_id: id } }),
    sign: (secret, id, t, b) => {
      const ts = new Date(t * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
      return { 'x-zendesk-webhook-signature': hmac(secret, cat(ts, b), 'base64'), 'x-zendesk-webhook-signature-timestamp': ts, 'x-zendesk-webhook-invocation-id': id };
    },
  },
  {
    partnerId: 'jira', secrets: SECRETS.jira, timed: true, idHeaders: ['x-atlassian-webhook-identifier'],
    body: (t, id) => JSON.stringify({
      webhookEvent: 'jira:issue_updated', timestamp: t * 1000, webhookEventId: id,
      issue: { id: '10001', key: 'SUP-17', fields: { status: { name: 'In Progress' }, updated: new Date(t * 1000).toISOString() } },
      changelog: { items: [{ field: 'status', fromString: 'Open', toString: 'In Progress' }] },
    }),
    sign: (secret, id, _t, b) => ({ 'x-hub-signature': `sha256=${hmac(secret, b, 'hex')}`, 'x-atlassian-webhook-identifier': id }),
  },
  {
    // thin events: the delivery id is the signed event itself (no header carries one); the body's time bounds replays
    partnerId: 'tsanet', secrets: SECRETS.tsanet, timed: true, idHeaders: [],
    body: (t, id) => JSON.stringify({ eventType: 'note.created', requestToken: 'tok-1', noteToken: id, timestamp: new Date(t * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z') }),
    sign: (secret, _id, _t, b) => ({ 'x-hub-signature-256': `sha256=${hmac(secret, b, 'hex')}` }),
  },
  {
    partnerId: 'zoom', collaboration: true, secrets: SECRETS.zoom, timed: true, idHeaders: ['x-zm-trackingid'],
    body: (t, id) => JSON.stringify({ event: 'meeting.started', event_ts: t * 1000, payload: { account_id: 'acct', object: { id: 85012345678, uuid: id, topic: 'Joint call' } } }),
    sign: (secret, id, t, b) => ({ 'x-zm-signature': `v0=${hmac(secret, cat(`v0:${t}:`, b), 'hex')}`, 'x-zm-request-timestamp': String(t), 'x-zm-trackingid': id }),
  },
];

let dynamo: Awaited<ReturnType<typeof startDynalite>>;
let deps: HubDeps;
let queue: RecordingQueue;
const NOW = Date.now();

beforeAll(async () => {
  dynamo = await startDynalite('memory');
  const base = { baseUrl: 'https://partner.example' };
  const config = parseHubConfig({ partners: [
    { ...base, id: 'generic', name: 'Generic', platforms: ['g'], connector: 'generic-rest', credentials: { token: 't' }, webhookSecret: SECRETS.generic[0], previousWebhookSecrets: [SECRETS.generic[1]] },
    { ...base, id: 'servicenow', name: 'ServiceNow', platforms: ['s'], connector: 'servicenow', credentials: { username: 'u', password: 'p' }, webhookSecret: SECRETS.servicenow[0], previousWebhookSecrets: [SECRETS.servicenow[1]] },
    { ...base, id: 'zendesk', name: 'Zendesk', platforms: ['z'], connector: 'zendesk', credentials: { email: 'a@b.example', apiToken: 't' }, webhookSecret: SECRETS.zendesk[0], previousWebhookSecrets: [SECRETS.zendesk[1]] },
    { ...base, id: 'jira', name: 'Jira', platforms: ['j'], connector: 'jira', credentials: { email: 'a@b.example', apiToken: 't' }, serviceDeskId: '1', requestTypeId: '2', webhookSecret: SECRETS.jira[0], previousWebhookSecrets: [SECRETS.jira[1]] },
    {
      ...base, id: 'tsanet', name: 'TSANet', platforms: ['ts'], connector: 'tsanet', credentials: { username: 'u', password: 'p' }, partnerCompanyId: '1',
      submitterContact: { name: 'Hub', email: 'hub@vendor.example' }, webhookSecret: SECRETS.tsanet[0], previousWebhookSecrets: [SECRETS.tsanet[1]],
    },
    {
      ...base, id: 'zoom', name: 'Zoom', platforms: ['zm'], connector: 'manual', portalUrl: 'https://support.zoom.com',
      collaboration: { connector: 'zoom', credentials: { accountId: 'a', clientId: 'c', clientSecret: 's' }, webhookSecret: SECRETS.zoom[0], previousWebhookSecrets: [SECRETS.zoom[1]] },
    },
  ] }, {});
  queue = new RecordingQueue();
  deps = {
    config, store: new DynamoEscalationStore(documentClient(dynamo.client), LOCAL_TABLE), bus: new RecordingBus(), queue,
    clock: new FakeClock(NOW), connectors: buildRegistry(config), newId: () => uid('esc'), random: () => 0.5, log: silentLog,
  };
});
afterAll(() => dynamo.close());

const ingest = (s: Scheme, raw: RawWebhook) => (s.collaboration ? ingestCollaborationWebhook(deps, s.partnerId, raw) : ingestWebhook(deps, s.partnerId, raw));
const attempt = async (s: Scheme, raw: RawWebhook) => {
  try { return (await ingest(s, raw)).kind; } catch (e) { return (e as { code?: string }).code ?? String(e); }
};

describe.each(SCHEMES)('$partnerId webhooks', (s) => {
  const t = Math.floor(NOW / 1000);
  const delivery = (over: { secret?: string; t?: number; body?: string; id?: string } = {}) => {
    const at = over.t ?? t;
    const id = over.id ?? uid('dlv');
    const body = over.body ?? s.body(at, id);
    return { headers: s.sign(over.secret ?? s.secrets[0]!, id, at, Buffer.from(body)), body, query: {} } as RawWebhook;
  };
  /** A body with a non-ASCII character, as the bytes of `encoding`, signed over exactly those bytes. */
  const encoded = (text: string, encoding: 'latin1' | 'utf8', contentType?: string, signOver?: Buffer): RawWebhook => {
    const bytes = Buffer.from(text, encoding);
    const id = uid('dlv');
    return { headers: { ...s.sign(s.secrets[0]!, id, t, signOver ?? bytes), ...(contentType ? { 'content-type': contentType } : {}) }, body: bytes, query: {} };
  };
  const withNote = (note: string) => s.body(t, uid('n')).replace(/^\{/, `{"note":${JSON.stringify(note)},`);

  it('accepts the current and the previous secret (rotation), and refuses a wrong one', async () => {
    expect(await attempt(s, delivery())).toMatch(/accepted|recorded/);
    expect(await attempt(s, delivery({ secret: s.secrets[1] }))).toMatch(/accepted|recorded/);
    const wrong = s.partnerId === 'generic' || s.partnerId === 'servicenow' ? whsec('someone-else') : 'someone-else';
    expect(await attempt(s, delivery({ secret: wrong }))).toBe('invalid_signature');
  });

  it('checks the raw bytes: the same JSON re-serialized fails', async () => {
    const d = delivery();
    const reserialized = JSON.stringify(JSON.parse(String(d.body)), null, 1);
    expect(await attempt(s, { ...d, body: reserialized })).toBe('invalid_signature');
  });

  it('refuses stale and future deliveries', async () => {
    expect(await attempt(s, delivery({ t: t - 3600 }))).toBe('invalid_signature');
    expect(await attempt(s, delivery({ t: t + 3600 }))).toBe('invalid_signature');
  });

  it('verifies over the bytes as received: a Latin-1 body signed over its bytes is accepted (charset declared)', async () => {
    const text = withNote('café déjà vu');
    expect(await attempt(s, encoded(text, 'latin1', 'application/json; charset=ISO-8859-1'))).toMatch(/accepted|recorded/);
    // the same bytes, signed over their UTF-8 re-encoding (what a verifier over decoded text would accept), fail
    const latin1 = Buffer.from(text, 'latin1');
    expect(await attempt(s, encoded(text, 'latin1', 'application/json; charset=ISO-8859-1', Buffer.from(latin1.toString('utf8'))))).toBe('invalid_signature');
  });

  it('a correctly signed body that is not UTF-8 (none declared) is refused as invalid, not accepted with U+FFFD', async () => {
    const text = withNote('caf\u00e9 \u00ff');
    const before = queue.messages.length;
    expect(await attempt(s, encoded(text, 'latin1', 'application/json'))).toBe('validation_failed');
    expect(await attempt(s, encoded(text, 'latin1'))).toBe('validation_failed');
    expect(queue.messages.length).toBe(before);
  });

  it('dedupes on what is signed: the same signed bytes under a new or missing unsigned delivery id are not applied again', async () => {
    const id = uid('orig');
    const body = s.body(t, id);
    const headers = s.sign(s.secrets[0]!, id, t, Buffer.from(body));
    const before = queue.messages.length;
    expect(await attempt(s, { headers, body, query: {} })).toMatch(/accepted|recorded/);
    for (const h of s.idHeaders) {
      for (const value of [uid('new'), uid('other'), undefined]) {
        const replay = { ...headers, [h]: value };
        if (value === undefined) delete replay[h];
        // a delivery id the signature covers cannot change (invalid_signature); one it does not cover is ignored
        expect(await attempt(s, { headers: replay, body, query: {} })).toMatch(/^(duplicate|invalid_signature)$/);
      }
    }
    if (!s.collaboration) expect(queue.messages.length - before).toBe(1);
  });

  it('a process that dies before the delivery is taken loses nothing: the same delivery again is taken', async () => {
    const d = delivery({ id: uid('crash') });
    const store = deps.store;
    const dies = () => { throw new Error('the process died'); };
    // the first write of each path dies (a partner's stored delivery, a meeting event's lookup), and a dead process forgets nothing
    deps.store = Object.assign(Object.create(store) as typeof store, { markDeliverySeen: dies, findByTicket: dies, forgetDelivery: dies });
    try {
      expect(await attempt(s, d)).toMatch(/the process died/);
    } finally {
      deps.store = store;
    }
    expect(await attempt(s, d)).toMatch(/accepted|recorded/);
  });

  it('acknowledges a replayed delivery without applying it twice', async () => {
    const d = delivery({ id: uid('replay') });
    const before = queue.messages.length;
    expect(await attempt(s, d)).toMatch(/accepted|recorded/);
    expect(await attempt(s, d)).toBe('duplicate');
    if (!s.collaboration) expect(queue.messages.length - before).toBe(1);
  });
});
