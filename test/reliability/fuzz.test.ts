/**
 * Bad input, fuzzed (issue 6, part 4). fast-check drives every route of the topology (so a new route is fuzzed
 * as soon as it is declared) and both webhook endpoints of the in-process runtime with malformed JSON, wrong
 * types, unknown fields, huge strings (just under and just over the 256 KiB limit), unicode edge cases (lone
 * surrogates, RTL overrides, zero-width characters, emoji, NUL), invalid UTF-8 bytes, deep nesting, wrong
 * content types, odd path parameters and query strings, and garbage bearer tokens. Webhook bodies are also
 * sent correctly signed, so the fuzz reaches the parsers behind the signature check.
 *
 * Asserts, for every request: no 5xx (the only 5xx the contract allows is `502 partner_unavailable` when a
 * partner fails while the caller waits), a body over the limit is `413`, and every non-2xx JSON answer has the
 * contract's shape `{ error: { code, message } }` (the customer status page answers browsers in HTML: its
 * non-2xx are HTML pages). After each route: `/health` still answers. Before and after all of it: an
 * escalation flagged and opened before the fuzz is unchanged, and a new case still opens.
 *
 * Issue 12 (item 16) closed a family of 500s and extended the shapes: keys naming object prototype members
 * (`__proto__`, `constructor`, `toString`…) at every depth of every body; out-of-range numbers and dates
 * (1e20, 8.64e15 + 1, `+275760-…`, `"99999999999999999"`) in every field, and in correctly signed Zoom,
 * Zendesk, Jira and Standard Webhooks bodies (a Zendesk and a Jira partner are configured for that); control
 * characters (CR, LF, NUL, ESC, DEL, tab) in every path segment, query value and cookie, after a valid status
 * link and session, and in header values (as far as HTTP lets them through: tab and Latin-1 bytes). Every JSON
 * answer must also be readable by a strict JSON parser (no lone-surrogate escapes).
 *
 * Runs per route: FUZZ_RUNS (default 300). Replay a failure with the seed and path fast-check prints:
 * `FUZZ_SEED=<seed> FUZZ_PATH=<path> npx jest test/reliability/fuzz.test.ts -t '<route>'`.
 */
import { createHmac } from 'node:crypto';
import { request, Agent } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { startGenericSandbox, type GenericSandbox } from '../../connectors/generic-rest/sandbox';
import { signStandardWebhook } from '../../connectors/standard-webhooks';
import { signJiraWebhook } from '../../connectors/jira/webhook';
import { signZendeskWebhook } from '../../connectors/zendesk/webhook';
import { zoomSignature } from '../../connectors/zoom/webhook';
import { parseHubConfig } from '../../core/config';
import { silentLog } from '../../core/deps';
import { MAX_BODY_BYTES } from '../../functions/http';
import { buildTopology, type RouteSpec } from '../../topology/topology';
import { startLocalHub, type LocalHub } from '../../local/hub';
import { signJwt } from '../../local/jwt';
import { uid } from '../support/fixtures';
import { freePort } from '../support/hub-process';
import { http, waitFor } from '../support/local-hub';

jest.setTimeout(180_000);

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
/** Replays a run: FUZZ_SEED (and FUZZ_PATH, to go straight to a counterexample) as fast-check printed them. */
const REPLAY = process.env.FUZZ_SEED ? { seed: Number(process.env.FUZZ_SEED), ...(process.env.FUZZ_PATH ? { path: process.env.FUZZ_PATH } : {}) } : {};
const JWT = `fuzz-${uid('jwt')}`;
const PARTNER_TOKEN = 'fuzz-partner-token';
const SECRET = 'whsec_' + Buffer.from('fuzz-webhook-secret').toString('base64');
const ZOOM_SECRET = 'fuzz-zoom-secret-token';
const CLIENT_STATE = 'fuzz-client-state';
const ZENDESK_SECRET = 'fuzz-zendesk-signing-secret';
const JIRA_SECRET = 'fuzz-jira-secret';
const eng = () => signJwt({ sub: 'eng-fuzz', role: 'engineer' }, JWT);
const cust = (c = 'acme') => signJwt({ sub: `cust-${c}`, role: 'customer', customerId: c }, JWT);

let sandbox: GenericSandbox;
let hub: LocalHub;
const agent = new Agent({ keepAlive: true, maxSockets: 8 });

/** Ids that exist, so that the fuzz also reaches the body parsers behind the path look-ups. */
const known = { target: '', targetCase: '', targetTicket: '', sentinel: '', sentinelCase: '', link: '' };
let sentinelBefore: Record<string, unknown>;

const newCase = (over: Record<string, unknown> = {}) => ({
  caseId: uid('CASE'), customerId: 'acme', platform: 'acme', severity: 'high', summary: 'Fuzz baseline', findings: 'Baseline findings', ...over,
});
async function flagAndOpen(body: Record<string, unknown>) {
  const r = await http(hub.url, 'POST', '/v1/escalations', { token: eng(), body });
  expect(r.status).toBe(202);
  return waitFor('the escalation to open', async () => {
    const g = await http(hub.url, 'GET', `/v1/escalations/${r.json.escalationId}`, { token: eng() });
    return g.json?.status === 'open' ? g.json : false;
  });
}
/** What must not change: the escalation, its timeline, its findings. */
const snapshot = (e: Record<string, unknown>) => ({ ...e });

beforeAll(async () => {
  sandbox = await startGenericSandbox({ token: PARTNER_TOKEN, webhookSecret: SECRET });
  const [zoomPort, teamsPort] = [await freePort(), await freePort()];
  const config = parseHubConfig({
    partners: [
      {
        id: 'acme-cloud', name: 'Acme Cloud', platforms: ['acme'], connector: 'generic-rest', baseUrl: sandbox.baseUrl,
        credentials: { token: PARTNER_TOKEN }, webhookSecret: SECRET, retry: { maxAttempts: 3, initialDelayMs: 10, maxDelayMs: 50 },
        collaboration: {
          connector: 'zoom', sandbox: true, baseUrl: `http://127.0.0.1:${zoomPort}/v2`, oauthUrl: `http://127.0.0.1:${zoomPort}/oauth/token`,
          credentials: { accountId: 'acct', clientId: 'client', clientSecret: 'zoom-client-secret' }, webhookSecret: ZOOM_SECRET,
        },
      },
      {
        id: 'msft', name: 'Microsoft', platforms: ['teams'], connector: 'generic-rest', baseUrl: sandbox.baseUrl,
        credentials: { token: PARTNER_TOKEN }, webhookSecret: SECRET, retry: { maxAttempts: 3, initialDelayMs: 10, maxDelayMs: 50 },
        collaboration: {
          connector: 'teams', sandbox: true, graphUrl: `http://127.0.0.1:${teamsPort}/v1.0`, loginUrl: `http://127.0.0.1:${teamsPort}`,
          credentials: { tenantId: 'tenant', clientId: 'client', clientSecret: 'teams-client-secret' }, organizerUserId: 'organizer', clientState: CLIENT_STATE,
        },
      },
      // webhooks only (no partner calls): their signed bodies reach the Zendesk and Jira parsers
      {
        id: 'zd', name: 'Zendesk partner', platforms: ['zd'], connector: 'zendesk', baseUrl: 'http://127.0.0.1:1',
        credentials: { email: 'hub@vendor.example', apiToken: 't' }, webhookSecret: ZENDESK_SECRET,
      },
      {
        id: 'jr', name: 'Jira partner', platforms: ['jr'], connector: 'jira', baseUrl: 'http://127.0.0.1:1',
        credentials: { email: 'hub@vendor.example', apiToken: 't' }, serviceDeskId: '1', requestTypeId: '2', webhookSecret: JIRA_SECRET,
      },
    ],
  }, {});
  hub = await startLocalHub({ config, dataDir: mkdtempSync(join(tmpdir(), 'hub-fuzz-')), jwtSecret: JWT, log: silentLog, sweepIntervalMs: 500 });
  sandbox.settings.webhookUrl = `${hub.url}/v1/webhooks/acme-cloud`;

  const sentinel = newCase({ findings: 'Sentinel findings: must survive the fuzz', customerContact: { email: 'sentinel@acme.example' } });
  const opened = await flagAndOpen(sentinel);
  known.sentinel = opened.escalationId;
  known.sentinelCase = sentinel.caseId;
  sentinelBefore = snapshot(opened);
  const target = newCase();
  const opened2 = await flagAndOpen(target);
  known.target = opened2.escalationId;
  known.targetTicket = opened2.partnerTicket.id;
  known.targetCase = target.caseId;
  // a valid status link for the target case: the fuzz appends control characters to it
  const link = await http(hub.url, 'POST', '/v1/status-links', { token: eng(), body: { customerId: 'acme', caseId: target.caseId, ttlMinutes: 7 * 24 * 60 } });
  expect(link.status).toBe(201);
  known.link = new URL(link.json.path, 'http://x').searchParams.get('link')!;
});
afterAll(async () => {
  agent.destroy();
  await hub?.stop();
  await sandbox?.close();
});

// ---------- arbitraries ----------

/** Keys that name object prototype members: every body gets them, at every depth. */
const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', '__defineGetter__'];
/** Numbers out of the range of a time (ms or s), of a safe integer, or of a double's exponent. */
const OUT_OF_RANGE_NUMBERS = [1e20, -1e20, 8.64e15 + 1, -8.64e15 - 1, 1e16, 2 ** 53 + 2, Number('99999999999999999'), 1.7976931348623157e308, -1.7976931348623157e308, 5e-324, 1e12 - 1, 1e12];
/** Times beyond what a Date holds, at its edges, or not quite times. */
const OUT_OF_RANGE_TIMES = [
  '+275760-09-13T00:00:00.000Z', '+275760-09-13T00:00:00.001Z', '+275761-01-01T00:00:00Z', '-271821-04-20T00:00:00Z', '-271821-04-19T23:59:59Z',
  '99999999999999999', '1e20', '-1', '0000-01-01T00:00:00Z', '9999-12-31T23:59:59.999Z', '2026-02-30T25:61:61Z', '2026-11-25T10:00:00+99:99', '2026-11-25 10:00:00',
];
const EDGE_STRINGS = [
  '', ' ', '\u0000', '\uD800', '\uDC00', 'a\uD83D', '\uDE00b', '\u202Eevil\u202C', '\u200B', '\u200D', '\uFEFF', '\u2028\u2029',
  '👩‍👩‍👧‍👦', '🇺🇳', 'e\u0301\u0301\u0301', 'עברית', 'مرحبا', '𝕳𝖚𝖇', '\\', '"', '\'; DROP TABLE x; --', '<script>alert(1)</script>',
  '../../etc/passwd', '%00', '%', '${PATH}', '{{7*7}}', '__proto__', 'constructor', 'A'.repeat(65), 'A'.repeat(10_001),
  'ESC#x', 'CASE#x', 'x#META', 'null', 'true', '0', '-1', '1e309', 'NaN',
  // control characters
  '\n', '\r\n', '\r', 'a\nb', '\u0007', '\u001b[31m', '\u007f', '\u0085', '\t', 'x\u0000y',
  // prototype member names as values
  'prototype', 'toString', 'hasOwnProperty', 'valueOf',
  // out-of-range times
  ...OUT_OF_RANGE_TIMES,
];
const weirdString = fc.oneof(
  fc.constantFrom(...EDGE_STRINGS),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ maxLength: 80 }),
);
/** Any JSON value, with wrong types where strings are expected. */
const anyJson = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  weirdString,
  fc.constantFrom(null, true, false, 0, -1, 1e308, -0, [], {}, [[[]]], { a: null }),
  fc.constantFrom(...OUT_OF_RANGE_NUMBERS),
  fc.constantFrom(...OUT_OF_RANGE_TIMES),
);

/**
 * JSON text of objects whose keys include prototype member names at any depth. Built as text: an object
 * literal with a `__proto__` key would set a prototype instead of carrying the key.
 */
type KeyTree = { k: string; v: KeyTree | string | number | null }[];
const keyTree: fc.Arbitrary<KeyTree> = fc.letrec<{ tree: KeyTree }>((tie) => ({
  tree: fc.array(fc.record({
    k: fc.oneof(fc.constantFrom(...PROTOTYPE_KEYS), fc.constantFrom('caseId', 'product', 'data', 'ticket', 'payload', 'object', 'detail', 'body', 'value')),
    v: fc.oneof({ depthSize: 'small', withCrossShrink: true }, fc.constant(null), weirdString, fc.constantFrom(...OUT_OF_RANGE_NUMBERS), tie('tree')),
  }), { maxLength: 4 }),
})).tree;
const keyTreeText = (t: KeyTree): string =>
  `{${t.map(({ k, v }) => `${JSON.stringify(k)}:${Array.isArray(v) ? keyTreeText(v) : JSON.stringify(v) ?? 'null'}`).join(',')}}`;
/** A route's own body (so validation reaches the nested values) with prototype keys woven in at any depth. */
const protoBody = (fields: string[]) => fc.tuple(keyTree, fc.constantFrom(...fields), keyTree).map(([outer, field, inner]) => {
  const nested = keyTreeText(inner);
  const top = keyTreeText(outer);
  return `{${JSON.stringify(field)}:${nested}${top.length > 2 ? `,${top.slice(1, -1)}` : ''}}`;
});
const FIELDS: Record<string, string[]> = {
  'POST /v1/escalations': ['caseId', 'customerId', 'platform', 'partnerId', 'severity', 'summary', 'findings', 'customerSummary', 'product', 'customerContact'],
  'POST /v1/escalations/{escalationId}/comments': ['body'],
  'POST /v1/escalations/{escalationId}/cancel': ['reason'],
  'POST /v1/escalations/{escalationId}/joint-calls': ['startTime', 'durationMinutes'],
  'POST /v1/escalations/{escalationId}/partner-ticket': ['number', 'url'],
  'POST /v1/status-links': ['customerId', 'caseId', 'ttlMinutes'],
  'POST /v1/admin/dead-letters/redrive': ['queue', 'messageIds', 'ids'],
  'POST /v1/webhooks/{partnerId}': ['type', 'data'],
  'POST /v1/webhooks/{partnerId}/collaboration': ['event', 'payload', 'value'],
};
/** Plausible-looking objects: the route's own fields with wrong types and odd strings, plus unknown fields. */
const nearValid = (key: string) => {
  const fields = FIELDS[key] ?? ['a', 'b'];
  return fc.dictionary(fc.constantFrom(...fields, '__proto__', 'extra', 'constructor'), anyJson, { maxKeys: fields.length + 2 });
};
const webhookShaped = fc.record({
  type: fc.oneof(fc.constant('incident.updated'), weirdString),
  data: fc.oneof(
    fc.record({
      id: fc.oneof(fc.constantFrom('10000', '10001', '99999'), weirdString, fc.integer()),
      number: fc.option(fc.oneof(weirdString, fc.integer()), { nil: undefined }),
      status: fc.oneof(fc.constantFrom('new', 'in_progress', 'awaiting_info', 'resolved', 'closed'), weirdString),
      updatedAt: fc.oneof(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), weirdString, fc.constantFrom(...OUT_OF_RANGE_TIMES), fc.constantFrom(...OUT_OF_RANGE_NUMBERS)),
      comment: fc.option(fc.oneof(weirdString, fc.constant('c'.repeat(10_001))), { nil: undefined }),
    }, { requiredKeys: [] }),
    anyJson,
  ),
}, { requiredKeys: [] });
const graphShaped = fc.record({
  value: fc.oneof(fc.array(fc.record({
    clientState: fc.oneof(fc.constant(CLIENT_STATE), weirdString),
    resource: fc.oneof(weirdString, fc.constantFrom("communications/onlineMeetings('abc')", 'users/x/onlineMeetings/y')),
    changeType: fc.oneof(weirdString, fc.constant('updated')),
    resourceData: fc.oneof(anyJson, fc.record({ eventType: weirdString, eventDateTime: weirdString })),
    lifecycleEvent: fc.option(weirdString, { nil: undefined }),
  }, { requiredKeys: [] }), { maxLength: 3 }), anyJson),
}, { requiredKeys: [] });
const zoomShaped = fc.record({
  event: fc.oneof(fc.constantFrom('endpoint.url_validation', 'meeting.started', 'meeting.ended', 'meeting.participant_joined'), weirdString),
  event_ts: fc.oneof(fc.integer(), anyJson, fc.constantFrom(...OUT_OF_RANGE_NUMBERS)),
  payload: fc.oneof(fc.record({
    plainToken: fc.oneof(weirdString, anyJson),
    object: fc.oneof(anyJson, fc.record({ id: fc.oneof(fc.integer(), weirdString), uuid: weirdString })),
  }, { requiredKeys: [] }), anyJson),
}, { requiredKeys: [] });

/** A Zendesk trigger body (API.md), with odd times, ids and statuses. */
const zendeskShaped = fc.record({
  ticket: fc.oneof(fc.record({
    id: fc.oneof(fc.constantFrom('35436', '10000'), weirdString, fc.integer(), fc.constantFrom(...OUT_OF_RANGE_NUMBERS)),
    status: fc.oneof(fc.constantFrom('new', 'open', 'pending', 'hold', 'solved', 'closed'), weirdString),
    external_id: fc.oneof(weirdString, fc.constant(null)),
    updated_at: fc.oneof(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), fc.constantFrom(...OUT_OF_RANGE_TIMES), fc.constantFrom(...OUT_OF_RANGE_NUMBERS), weirdString),
    comment: fc.option(weirdString, { nil: undefined }),
  }, { requiredKeys: [] }), anyJson),
}, { requiredKeys: [] });
/** A Jira admin webhook body; its (signed) `timestamp` is mostly now, so the parser behind it is reached. */
const jiraShaped = fc.record({
  webhookEvent: fc.oneof(fc.constant('jira:issue_updated'), weirdString),
  timestamp: fc.oneof(fc.constant('now'), fc.constant('now'), fc.constant('now'), fc.constantFrom(...OUT_OF_RANGE_NUMBERS), anyJson),
  issue: fc.oneof(fc.record({
    id: fc.oneof(fc.constantFrom('10001'), weirdString, fc.integer()),
    key: fc.oneof(fc.constant('SUP-1'), weirdString),
    fields: fc.oneof(fc.record({ status: fc.oneof(fc.record({ name: weirdString }), anyJson), updated: fc.oneof(fc.constantFrom(...OUT_OF_RANGE_TIMES), weirdString) }, { requiredKeys: [] }), anyJson),
  }, { requiredKeys: [] }), anyJson),
  changelog: fc.oneof(fc.record({ items: fc.array(fc.oneof(fc.record({ field: fc.constant('status'), toString: weirdString }), anyJson), { maxLength: 3 }) }), anyJson),
  comment: fc.oneof(fc.record({ body: anyJson }), anyJson),
}, { requiredKeys: [] }).map((b) => (b.timestamp === 'now' ? { ...b, timestamp: Date.now() } : b));

/** A body of exactly `bytes` bytes: `{"<field>":"xxx…"}`. */
const padded = (field: string, bytes: number) => {
  const head = `{"${field}":"`;
  return Buffer.from(head + 'x'.repeat(Math.max(0, bytes - head.length - 2)) + '"}');
};
const deep = (depth: number, kind: 'array' | 'object') => (kind === 'array'
  ? '['.repeat(depth) + ']'.repeat(depth)
  : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth));

/** `forPartner`: a webhook body in the format of the partner the path names (chosen once the path is known). */
type Body = { bytes: Buffer | undefined; note: string; forPartner?: (partnerId: string | undefined) => Buffer };

/**
 * Valid bodies with one value replaced by something hostile: prototype keys (at any depth), out-of-range
 * numbers and times, control characters. Starting from a valid body is what gets the value past the other
 * fields' validation, to the code that stores or converts it (where the 500s were).
 */
const nowIso = () => new Date().toISOString();
const VALID: Record<string, () => Record<string, unknown>> = {
  'POST /v1/escalations': () => ({ caseId: uid('FZ'), customerId: 'acme', platform: 'acme', severity: 'low', summary: 's', findings: 'f', product: { model: 'm' }, customerContact: { name: 'n' } }),
  'POST /v1/escalations/{escalationId}/comments': () => ({ body: 'c' }),
  'POST /v1/escalations/{escalationId}/joint-calls': () => ({ durationMinutes: 30 }),
  'POST /v1/escalations/{escalationId}/partner-ticket': () => ({ number: 'N-1', url: 'https://partner.example/t/1' }),
  'POST /v1/status-links': () => ({ customerId: 'acme', caseId: known.targetCase, ttlMinutes: 60 }),
  'webhook:generic': () => ({ type: 'incident.updated', data: { id: known.targetTicket, status: 'in_progress', updatedAt: nowIso(), comment: 'c' } }),
  'webhook:zd': () => ({ ticket: { id: '35436', status: 'open', external_id: 'hub:x', updated_at: nowIso(), comment: 'c' } }),
  'webhook:jr': () => ({ webhookEvent: 'jira:issue_updated', timestamp: Date.now(), issue: { id: '10001', key: 'SUP-1', fields: { status: { name: 'In Progress' }, updated: nowIso() } }, changelog: { items: [{ field: 'status', toString: 'In Progress' }] } }),
  'webhook:zoom': () => ({ event: 'meeting.started', event_ts: Date.now(), payload: { account_id: 'a', object: { id: 85012345678, uuid: 'u', participant: { user_id: 'p', join_time: nowIso() } } } }),
};
/** Every path to a value in `v` (and, in objects, a new key under it). */
const pathsOf = (v: unknown, at: string[] = []): string[][] => {
  if (v === null || typeof v !== 'object') return [at];
  const own = Object.entries(v as Record<string, unknown>).flatMap(([k, x]) => pathsOf(x, [...at, k]));
  return Array.isArray(v) ? own : [...own, [...at, '\u0000new']];
};
const MARK = '\u0000fuzz-value\u0000';
/** `valid` as JSON text with the value at `path` (or a new key there, named `key`) replaced by raw JSON text. */
function replaced(valid: Record<string, unknown>, path: string[], key: string, text: string): string {
  const copy = JSON.parse(JSON.stringify(valid)) as Record<string, unknown>;
  let node: Record<string, unknown> = copy;
  for (const k of path.slice(0, -1)) node = node[k] as Record<string, unknown>;
  const last = path.at(-1)!;
  // a key is written as JSON text, so that `__proto__` is a key and not a prototype
  if (last === '\u0000new') node['\u0000key'] = MARK; else node[last] = MARK;
  return JSON.stringify(copy).replace(`"\\u0000key":`, `${JSON.stringify(key)}:`).replace(JSON.stringify(MARK), text);
}
const hostileValue: fc.Arbitrary<string> = fc.oneof(
  keyTree.map(keyTreeText),
  fc.constantFrom(...OUT_OF_RANGE_NUMBERS).map((n) => JSON.stringify(n)),
  fc.constantFrom(...OUT_OF_RANGE_TIMES).map((t) => JSON.stringify(t)),
  fc.constantFrom('\n', '\r\n', 'a\u0000b', '\u001b[2J', '\u007f', 'x\ud800', '\udfff').map((c) => JSON.stringify(c)),
  weirdString.map((w) => JSON.stringify(w)),
);
const mutation = fc.record({ pick: fc.nat(), key: fc.constantFrom(...PROTOTYPE_KEYS, 'extra'), value: hostileValue });
const mutate = (validKey: string, m: { pick: number; key: string; value: string }) => {
  const valid = VALID[validKey]!();
  const paths = pathsOf(valid);
  const path = paths[m.pick % paths.length]!;
  return { text: replaced(valid, path, m.key, m.value), note: `${validKey} with ${path.join('.').replace('\u0000new', m.key)} = ${m.value.slice(0, 60)}` };
};
const webhookFormat = (routeKey: string, partnerId: string | undefined) => (routeKey.endsWith('/collaboration') ? 'webhook:zoom' : partnerId === 'zd' ? 'webhook:zd' : partnerId === 'jr' ? 'webhook:jr' : 'webhook:generic');
const mutatedBody = (key: string): fc.Arbitrary<Body> => mutation.map((m): Body => {
  if (!key.startsWith('POST /v1/webhooks')) {
    const { text, note } = mutate(key, m);
    return { bytes: Buffer.from(text), note: `mutated ${note}` };
  }
  return { bytes: undefined, note: 'mutated webhook', forPartner: (partnerId) => Buffer.from(mutate(webhookFormat(key, partnerId), m).text) };
});
const enc = (s: string): Body => ({ bytes: Buffer.from(s, 'utf8'), note: 'text' });
const bodyArb = (key: string): fc.Arbitrary<Body> => fc.oneof(
  ...(VALID[key] || key.startsWith('POST /v1/webhooks') ? [{ weight: 4, arbitrary: mutatedBody(key) }] : []),
  { weight: 1, arbitrary: fc.constant<Body>({ bytes: undefined, note: 'no body' }) },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', '{', '}', '{"a":', '[1,]', '{"a":1,}', "{'a':1}", 'NaN', 'undefined', '\uFEFF{}', '{"a":1}{"b":2}', '{"__proto__":{"x":1}}').map(enc) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }).map(enc) },
  { weight: 2, arbitrary: anyJson.map((v) => enc(JSON.stringify(v) ?? 'null')) },
  { weight: 4, arbitrary: nearValid(key).map((v) => enc(JSON.stringify(v))) },
  { weight: 2, arbitrary: (key.includes('/collaboration') ? fc.oneof(zoomShaped, graphShaped) : fc.oneof(webhookShaped, zendeskShaped, jiraShaped)).map((v) => enc(JSON.stringify(v))) },
  { weight: 2, arbitrary: protoBody(FIELDS[key] ?? ['a']).map((t) => ({ bytes: Buffer.from(t), note: 'prototype keys' })) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 300 }).map((u) => ({ bytes: Buffer.from(u), note: 'random bytes' })) },
  { weight: 1, arbitrary: fc.constantFrom(Buffer.from([0xc3, 0x28]), Buffer.from([0xff, 0xfe, 0x7b, 0x00, 0x7d, 0x00]), Buffer.from('{"body":"\xed\xa0\x80"}', 'latin1'), Buffer.from([0xe0, 0xa4])).map((b) => ({ bytes: b, note: 'invalid utf-8' })) },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 1, max: 120_000 }), fc.constantFrom<'array' | 'object'>('array', 'object')).map(([d, k]) => ({ bytes: Buffer.from(deep(d, k)), note: `deep ${k} ${d}` })) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...(FIELDS[key] ?? ['a'])), fc.integer({ min: -512, max: 512 })).map(([f, delta]) => ({ bytes: padded(f, MAX_BODY_BYTES + delta), note: `padded ${MAX_BODY_BYTES + delta} bytes` })) },
  { weight: 1, arbitrary: fc.constantFrom(MAX_BODY_BYTES + 1, MAX_BODY_BYTES * 4).map((n) => ({ bytes: Buffer.alloc(n, 0x7b), note: `${n} bytes of {` })) },
);
const contentType = fc.constantFrom<string | undefined>(
  'application/json', 'application/json', 'application/json; charset=utf-8', undefined, 'text/plain', 'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=xyz', 'application/json; charset=utf-16', 'application/xml', '*/*', 'garbage;;;=',
);
/** Bytes of a string, percent-encoded (lone surrogates become U+FFFD as any UTF-8 encoder makes them). */
const pct = (s: string) => [...Buffer.from(s, 'utf8')].map((b) => (/[A-Za-z0-9_.~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
const RAW_SEGMENTS = ['%', '%E0%A4%A', '%C3%28', '%FF%FE', '%00', '..', '.', '%2E%2E', '..%2F..%2Fetc', '%2F', 'a%2Fb', '%252F', 'x'.repeat(5000), '%F0%9F%98%80', '%EF%BB%BF'];
/** Control characters as a URL carries them. */
const CONTROL_PCT = ['%0A', '%0D%0A', '%0D', '%00', '%09', '%1B', '%7F', '%C2%85', '%E2%80%A8', '%20'];
const segment = (valid: string[]) => fc.oneof(
  // mostly a value that exists, so that what is behind the look-up (parsers, signatures) is fuzzed too
  { weight: 4, arbitrary: fc.constantFrom(...valid) },
  { weight: 1, arbitrary: fc.constantFrom(...RAW_SEGMENTS) },
  { weight: 1, arbitrary: weirdString.filter((s) => s.length > 0).map(pct) },
  // a valid value with control characters before or after it
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...valid), fc.constantFrom(...CONTROL_PCT), fc.boolean()).map(([v, c, before]) => (before ? c + v : v + c)) },
);
/** The role a route is for: most requests carry it, so the fuzz gets past the authorizer. */
const roleFor = (path: string) => (path.startsWith('/v1/admin') ? 'admin' : path.startsWith('/v1/customer') || path.startsWith('/status') ? 'customer' : 'engineer');
const tokenArb = (role: string) => fc.oneof(
  { weight: 6, arbitrary: fc.constant(role) },
  { weight: 1, arbitrary: fc.constantFrom('none', 'customer', 'admin', 'Bearer', 'Bearer a.b.c', 'Bearer ' + 'x'.repeat(8000), 'Basic dXNlcjpwYXNz') },
  { weight: 1, arbitrary: fc.constantFrom(
    // alg none, claims of wrong types, no exp, exp as a string, a customer without customerId, a role that does not exist
    'Bearer ' + Buffer.from('{"alg":"none"}').toString('base64url') + '.' + Buffer.from('{"sub":"x","role":"admin","exp":9999999999}').toString('base64url') + '.',
    'claims:' + JSON.stringify({ sub: 123, role: ['engineer'] }),
    'claims:' + JSON.stringify({ sub: 'x', role: 'engineer', exp: 'soon' }),
    'claims:' + JSON.stringify({ sub: 'x', role: 'customer' }),
    'claims:' + JSON.stringify({ sub: 'x', role: 'root', customerId: { $ne: null } }),
    'claims:' + JSON.stringify({ sub: '', role: 'customer', customerId: '' }),
  ) },
);
const authHeader = (t: string): string | undefined => {
  if (t === 'none') return undefined;
  if (t === 'engineer') return `Bearer ${eng()}`;
  if (t === 'admin') return `Bearer ${signJwt({ sub: 'adm', role: 'admin' }, JWT)}`;
  if (t === 'customer') return `Bearer ${cust()}`;
  if (t.startsWith('claims:')) {
    const claims = JSON.parse(t.slice(7)) as Record<string, unknown>;
    const h = Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url');
    const p = Buffer.from(JSON.stringify({ exp: Math.floor(Date.now() / 1000) + 600, ...claims })).toString('base64url');
    const s = createHmac('sha256', JWT).update(`${h}.${p}`).digest('base64url');
    return `Bearer ${h}.${p}.${s}`;
  }
  return t;
};
const queryArb = fc.oneof(
  fc.constant(''),
  fc.constantFrom('?queue=', '?queue=%00', '?queue=partner-work-acme-cloud-dlq', '?caseId=', '?caseId', '?caseId=a&caseId=b', '?caseId=%', '?caseId=%E0%A4%A', '?caseId[]=x', '?link=', '?link=abc', '?link=%FF', '?validationToken=', '?validationToken=abc', `?validationToken=${'t'.repeat(2000)}`),
  fc.tuple(fc.constantFrom('caseId', 'link', 'validationToken', 'queue', 'x', ''), weirdString).map(([k, v]) => `?${k}=${pct(v)}`),
  fc.constant(null).map(() => `?caseId=${known.targetCase}`),
  // a valid status link (or case id) with control characters appended, prepended or inserted
  fc.tuple(fc.constantFrom('link', 'caseId'), fc.constantFrom(...CONTROL_PCT), fc.constantFrom('end', 'start', 'middle')).map(([k, c, where]) => {
    const v = k === 'link' ? known.link : known.targetCase;
    const at = where === 'end' ? v.length : where === 'start' ? 0 : v.length >> 1;
    return `?${k}=${v.slice(0, at)}${c}${v.slice(at)}`;
  }),
);
/** Header values with what HTTP lets through of control characters (tab) and Latin-1 bytes. */
const headerNoise = fc.constantFrom('\t', 'a\tb', '\u00ff\u00fe', '\u0080', 'caf\u00e9', '\t\t', ' ');

interface Req { method: string; path: string; headers: Record<string, string>; body: Buffer | undefined; note: string }
/** Counterexamples print short: the body as its size, note and first bytes. */
const described = (r: Req): Req => Object.assign(r, {
  [fc.toStringMethod]: () => `${r.method} ${r.path.slice(0, 300)} headers=${JSON.stringify(r.headers).slice(0, 600)} body=${r.body === undefined ? 'none' : `${r.body.length} bytes (${r.note}) ${JSON.stringify(r.body.subarray(0, 200).toString('utf8'))}`}`,
});
interface Res { status: number; contentType: string; text: string }

function send(r: Req): Promise<Res> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...r.headers };
    if (r.body !== undefined) headers['content-length'] = r.body.length;
    const u = new URL(hub.url);
    const req = request({ host: u.hostname, port: u.port, method: r.method, path: r.path, headers, agent, timeout: 20_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (e: NodeJS.ErrnoException) => {
      // the hub may answer 413 and close before it has read a body over the limit: that is its answer
      if ((e.code === 'EPIPE' || e.code === 'ECONNRESET') && r.body && r.body.length > MAX_BODY_BYTES) resolve({ status: 413, contentType: 'reset', text: '' });
      else reject(e);
    });
    if (r.body !== undefined) req.end(r.body); else req.end();
  });
}

const headBytes = (r: Req) => r.method.length + r.path.length + 20 + Object.entries(r.headers).reduce((n, [k, v]) => n + k.length + Buffer.byteLength(v) + 4, 0) + 120;

function checkAnswer(route: RouteSpec | undefined, req: Req, res: Res): void {
  const where = `${req.method} ${req.path.slice(0, 200)} [${req.note}] → ${res.status} ${res.text.slice(0, 300)}`;
  const fail = (why: string) => { throw new Error(`${why}: ${where}`); };
  if (res.status >= 500) {
    const partnerDown = res.status === 502 && /"code":"partner_unavailable"/.test(res.text);
    if (!partnerDown) fail('server error');
  }
  // the route the hub sees once the URL is normalised (`/a/%2E%2E/b` is `/b`)
  const seen = new URL(req.path, 'http://x').pathname;
  const matched = route && new RegExp(`^${route.path.replace(/\{\w+\}/g, '[^/]+')}$`).test(seen);
  // (unless the head is over Node's 16 KiB limit too: the head is read first, and its 431 is the answer)
  const headTooLarge = res.status === 431 && headBytes(req) >= 16 * 1024 - 1024;
  if (matched && req.body && req.body.length > MAX_BODY_BYTES && res.status !== 413 && !headTooLarge) fail('a body over 256 KiB must be 413');
  // any JSON answer, 2xx included, is readable by a strict parser: no lone surrogate escaped as \udXXX
  if (res.contentType.startsWith('application/json') && /\\ud[89ab][0-9a-f]{2}(?!\\ud[c-f])|(?<!\\ud[89ab][0-9a-f]{2})\\ud[c-f][0-9a-f]{2}/i.test(res.text)) fail('lone surrogate in a JSON answer');
  if (res.status >= 200 && res.status < 300) return;
  if (res.contentType === 'reset') return;
  // a request head over Node's 16 KiB limit is refused before any route: 431, and only for heads that big
  if (res.status === 431 && headBytes(req) < 16 * 1024 - 1024) fail('431 for a small request head');
  const statusPage = route?.path === '/status/cases/{caseId}';
  if (statusPage && res.contentType.startsWith('text/html')) return;
  if (statusPage && res.status === 303) return; // a signed link becomes a cookie: only with a valid link
  if (!res.contentType.startsWith('application/json')) fail(`non-2xx answer is not JSON (${res.contentType})`);
  let body: unknown;
  try { body = JSON.parse(res.text); } catch { fail('non-2xx body is not JSON'); }
  const err = (body as { error?: { code?: unknown; message?: unknown } }).error;
  if (typeof err?.code !== 'string' || typeof err.message !== 'string' || err.code === '' || err.message === '') fail('not the contract error shape');
  if (res.text.includes('    at ') || /\bat .+\.ts:\d+/.test(res.text)) fail('stack trace in an answer');
}

function requestArb(route: RouteSpec): fc.Arbitrary<Req> {
  const key = `${route.method} ${route.path}`;
  const params: Record<string, fc.Arbitrary<string>> = {
    escalationId: segment([known.target, known.target, 'esc_00000000000000000000000000', known.sentinel.replace(/./g, 'Z')]),
    caseId: segment([known.targetCase, known.targetCase, 'CASE-none']),
    // a placeholder this test does not know yet: odd strings and one plain value
    any: segment(['x']),
    partnerId: segment(['acme-cloud', 'acme-cloud', 'msft', 'zd', 'jr', 'unknown-partner']),
  };
  const pathArb = fc.record(Object.fromEntries((route.path.match(/\{(\w+)\}/g) ?? []).map((p) => [p.slice(1, -1), params[p.slice(1, -1)] ?? params.any!])))
    .map((vals) => route.path.replace(/\{(\w+)\}/g, (_m, n: string) => (vals as Record<string, string>)[n]!));
  const webhook = route.function === 'webhook';
  const signing = fc.constantFrom('valid', 'valid', 'valid', 'none', 'stale', 'future', 'garbage', 'wrong-secret', 'long-id');
  const cookieArb = fc.option(fc.oneof(
    weirdString.map(pct), fc.constant('x'.repeat(3000)),
    // a valid session with control characters (percent-encoded, as a cookie value carries them) or noise around it
    fc.tuple(fc.constantFrom(...CONTROL_PCT, ' ', '"', ';x=y'), fc.boolean()).map(([c, before]) => (before ? c + known.link : known.link + c)),
  ), { nil: undefined });
  return fc.record({ path: pathArb, query: queryArb, body: bodyArb(key), ct: contentType, token: tokenArb(roleFor(route.path)), signing, cookie: cookieArb, noise: fc.option(headerNoise, { nil: undefined }) })
    .map(({ path, query, body: generated, ct, token, signing: sig, cookie, noise }) => {
      let body = generated;
      const headers: Record<string, string> = {};
      if (ct) headers['content-type'] = ct;
      if (cookie !== undefined) headers.cookie = `hub_status=${cookie}`;
      if (webhook) {
        const partner = /^\/v1\/webhooks\/([^/?]+)/.exec(path)?.[1];
        if (body.forPartner) body = { bytes: body.forPartner(partner), note: `${body.note} (${webhookFormat(route.method + ' ' + route.path, partner)})` };
        // signed over the bytes exactly as sent (invalid UTF-8 included): the hub must verify those bytes
        const bytes = body.bytes ?? Buffer.alloc(0);
        const now = Math.floor(Date.now() / 1000);
        const ts = sig === 'stale' ? now - 3600 : sig === 'future' ? now + 3600 : now;
        const id = sig === 'long-id' ? `msg_${'L'.repeat(4000)}` : `msg_${uid('f')}${noise ?? ''}`;
        if (route.path.endsWith('/collaboration')) {
          if (sig !== 'none') {
            headers['x-zm-request-timestamp'] = String(ts);
            headers['x-zm-signature'] = sig === 'garbage' ? 'v0=nothex' : zoomSignature(sig === 'wrong-secret' ? 'nope' : ZOOM_SECRET, String(ts), bytes);
          }
        } else if (partner === 'zd') {
          const at = new Date(ts * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
          if (sig !== 'none') {
            headers['x-zendesk-webhook-signature-timestamp'] = sig === 'garbage' ? 'yesterday' : at;
            headers['x-zendesk-webhook-signature'] = sig === 'garbage' ? '!!' : signZendeskWebhook(sig === 'wrong-secret' ? 'nope' : ZENDESK_SECRET, at, bytes);
            headers['x-zendesk-webhook-invocation-id'] = id;
          }
        } else if (partner === 'jr') {
          if (sig !== 'none') {
            headers['x-hub-signature'] = sig === 'garbage' ? 'sha256=zz' : signJiraWebhook(sig === 'wrong-secret' ? 'nope' : JIRA_SECRET, bytes);
            headers['x-atlassian-webhook-identifier'] = id;
          }
        } else if (sig !== 'none') {
          headers['webhook-id'] = id;
          headers['webhook-timestamp'] = sig === 'garbage' ? 'yesterday' : String(ts);
          headers['webhook-signature'] = sig === 'garbage' ? 'v1,AAAA v2,zz' : signStandardWebhook(sig === 'wrong-secret' ? 'whsec_bm9wZQ==' : SECRET, id, ts, bytes);
        }
        if (noise !== undefined) headers['content-type'] = `${ct ?? 'application/json'};${noise}`;
      } else {
        const a = authHeader(token);
        if (a) headers.authorization = noise !== undefined && token !== 'none' ? `${a}${noise}` : a;
        if (noise !== undefined) headers['x-request-note'] = noise;
      }
      return described({ method: route.method, path: path + query, headers, body: body.bytes, note: body.note });
    });
}

/** Every route of the topology, known when the tests are declared: a route added later is fuzzed too. */
const ROUTE_KEYS = buildTopology([{ id: 'acme-cloud' }, { id: 'msft' }]).routes.map((r) => `${r.method} ${r.path}`);

describe('fuzzing every route and webhook endpoint', () => {
  const routes = () => hub.topology.routes;
  it('covers every route of the topology and both webhook endpoints', () => {
    const keys = routes().map((r) => `${r.method} ${r.path}`);
    expect(keys).toEqual(expect.arrayContaining(['POST /v1/webhooks/{partnerId}', 'POST /v1/webhooks/{partnerId}/collaboration', 'POST /v1/escalations']));
    expect(keys.length).toBeGreaterThanOrEqual(14);
  });

  it('fuzzes exactly the routes the running hub serves', () => {
    expect(routes().map((r) => `${r.method} ${r.path}`).sort()).toEqual([...ROUTE_KEYS].sort());
  });

  const stats = new Map<string, Map<string, number>>();
  afterAll(() => {
    console.log(['fuzz: answers per route (status code: count)', ...[...stats].map(([k, m]) => `  ${k}: ${[...m].sort().map(([c, n]) => `${c}×${n}`).join(' ')}`)].join('\n'));
  });

  for (const key of ROUTE_KEYS) {
    it(`${key}: no 5xx, the contract's error shape, still healthy`, async () => {
      const route = routes().find((r) => `${r.method} ${r.path}` === key)!;
      const seen = new Map<string, number>();
      stats.set(key, seen);
      await fc.assert(fc.asyncProperty(requestArb(route), async (req) => {
        const res = await send(req);
        const code = `${res.status}${/"code":"(\w+)"/.exec(res.text)?.[1] ? ` ${/"code":"(\w+)"/.exec(res.text)![1]}` : ''}`;
        seen.set(code, (seen.get(code) ?? 0) + 1);
        checkAnswer(route, req, res);
      }), { numRuns: RUNS, ...REPLAY });
      const health = await send({ method: 'GET', path: '/health', headers: {}, body: undefined, note: '' });
      expect(health.status).toBe(200);
      // the fuzz got past the authorizer and the signature check to the code behind them
      const codes = [...seen.keys()];
      if (route.method === 'POST' && key !== 'POST /v1/admin/dead-letters/redrive') {
        expect(codes.some((c) => /invalid_json|validation_failed|payload_too_large/.test(c))).toBe(true);
      }
      if (route.function === 'webhook') expect(codes.some((c) => !/^(401|404)/.test(c))).toBe(true);
    });
  }

  /**
   * The families of issue 12 item 16, exhaustively rather than by chance: every path of a valid body of every
   * engineer route and of every signed webhook format (Standard Webhooks, Zendesk, Jira, Zoom) gets each
   * hostile value: out-of-range numbers and times, control characters, lone surrogates, and objects keyed
   * by prototype member names; and every object in those bodies gets each prototype member name as a new key.
   * Webhooks are correctly signed over the bytes sent, so every value reaches the parser behind the check.
   */
  it('hostile values at every path of valid bodies, signed where a partner signs: no 5xx', async () => {
    const hostile = [
      ...[1e20, -1e20, 8.64e15 + 1, 2 ** 53 + 2, 1.7976931348623157e308, 5e-324].map((n) => JSON.stringify(n)),
      ...['+275760-09-13T00:00:00.001Z', '+275761-01-01T00:00:00Z', '-271821-04-19T23:59:59Z', '99999999999999999', '1e20', '2026-02-30T25:61:61Z'].map((t) => JSON.stringify(t)),
      ...['\n', '\r\n', 'a\u0000b', '\u001b[2J', '\u007f', 'x\ud800', '\udfff', '\u2028'].map((c) => JSON.stringify(c)),
      ...PROTOTYPE_KEYS.map((k) => `{${JSON.stringify(k)}:"y"}`),
      `{"a":{"__proto__":{"constructor":{"prototype":1e20}}}}`,
    ];
    const targets: { key: string; route: string; path: string; sign?: (bytes: Buffer) => Record<string, string> }[] = [
      ...['POST /v1/escalations', 'POST /v1/escalations/{escalationId}/comments', 'POST /v1/escalations/{escalationId}/joint-calls', 'POST /v1/status-links']
        .map((key) => ({ key, route: key, path: key.split(' ')[1]!.replace('{escalationId}', known.target) })),
      { key: 'webhook:generic', route: 'POST /v1/webhooks/{partnerId}', path: '/v1/webhooks/acme-cloud', sign: (b) => {
        const id = `msg_${uid('x')}`; const ts = Math.floor(Date.now() / 1000);
        return { 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': signStandardWebhook(SECRET, id, ts, b) };
      } },
      { key: 'webhook:zd', route: 'POST /v1/webhooks/{partnerId}', path: '/v1/webhooks/zd', sign: (b) => {
        const at = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
        return { 'x-zendesk-webhook-signature-timestamp': at, 'x-zendesk-webhook-signature': signZendeskWebhook(ZENDESK_SECRET, at, b), 'x-zendesk-webhook-invocation-id': uid('inv') };
      } },
      { key: 'webhook:jr', route: 'POST /v1/webhooks/{partnerId}', path: '/v1/webhooks/jr', sign: (b) => ({ 'x-hub-signature': signJiraWebhook(JIRA_SECRET, b), 'x-atlassian-webhook-identifier': uid('j') }) },
      { key: 'webhook:zoom', route: 'POST /v1/webhooks/{partnerId}/collaboration', path: '/v1/webhooks/acme-cloud/collaboration', sign: (b) => {
        const ts = String(Math.floor(Date.now() / 1000));
        return { 'x-zm-request-timestamp': ts, 'x-zm-signature': zoomSignature(ZOOM_SECRET, ts, b) };
      } },
    ];
    let sent = 0;
    const failures: string[] = [];
    const jobs: (() => Promise<void>)[] = [];
    for (const t of targets) {
      const route = routes().find((r) => `${r.method} ${r.path}` === t.route)!;
      const paths = pathsOf(VALID[t.key]!());
      for (const [i, path] of paths.entries()) {
        const cases = path.at(-1) === '\u0000new'
          ? PROTOTYPE_KEYS.map((k) => ({ key: k, value: '"y"' }))
          : hostile.map((value) => ({ key: 'extra', value }));
        for (const c of cases) {
          jobs.push(async () => {
            const bytes = Buffer.from(replaced(VALID[t.key]!(), path, c.key, c.value));
            const headers: Record<string, string> = { 'content-type': 'application/json', ...(t.sign ? t.sign(bytes) : { authorization: `Bearer ${eng()}` }) };
            const req = described({ method: 'POST', path: t.path, headers, body: bytes, note: `${t.key} ${path.join('.').replace('\u0000new', c.key)}=${c.value.slice(0, 40)} (#${i})` });
            try { checkAnswer(route, req, await send(req)); } catch (e) { failures.push((e as Error).message.slice(0, 300)); }
            sent++;
          });
        }
      }
    }
    // four at a time
    await Promise.all(Array.from({ length: 4 }, async () => { for (let job = jobs.shift(); job; job = jobs.shift()) await job(); }));
    expect(sent).toBeGreaterThan(400);
    // every failure at once: the family, not its first member
    expect(failures).toEqual([]);
  });

  it('unknown paths, methods and malformed request lines answer in the contract shape', async () => {
    const methods = fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD');
    const paths = fc.oneof(
      fc.constantFrom('/', '/v1', '/v1/', '/v1/escalations/', '//v1/escalations', '/v1/escalations/a/b/c', '/v1/webhooks', '/v1/webhooks/', '/status/cases/', '/health/', '/HEALTH', '/v2/escalations', '/%', '/%E0%A4%A', '/v1/escalations/%2F..%2F..', '/' + 'x'.repeat(8000)),
      fc.constantFrom(...ROUTE_KEYS).map((k) => k.split(' ')[1]!.replace(/\{\w+\}/g, 'x')),
      weirdString.map((s) => `/${pct(s)}`),
    );
    await fc.assert(fc.asyncProperty(methods, paths, async (method, path) => {
      const req: Req = { method, path, headers: { authorization: `Bearer ${eng()}` }, body: undefined, note: 'routing' };
      const res = await send(req);
      const route = routes().find((r) => r.method === method && new RegExp(`^${r.path.replace(/\{\w+\}/g, '[^/]+')}$`).test(path.split('?')[0]!));
      if (method === 'HEAD') { expect(res.status).toBeLessThan(500); return; } // no body by definition
      checkAnswer(route, req, res);
    }), { numRuns: RUNS * 2 });
  });

  /**
   * Found by this fuzz: a request head over Node's 16 KiB limit used to get Node's own bare `431` (malformed
   * request lines a bare `400`), with no body. `local/http-server.ts` now answers them through a `clientError`
   * handler in the contract's shape; this guards it.
   */
  it('a request head over 16 KiB is answered in the contract shape', async () => {
    const req: Req = { method: 'GET', path: `/health?x=${'a'.repeat(20_000)}`, headers: {}, body: undefined, note: 'long query' };
    const res = await send(req);
    expect(res.status).toBe(431);
    expect(JSON.parse(res.text)).toEqual({ error: { code: expect.any(String), message: expect.any(String) } });
  });

  it('valid work accepted before the fuzz is intact, and new work still opens', async () => {
    const after = await http(hub.url, 'GET', `/v1/escalations/${known.sentinel}`, { token: eng() });
    expect(after.status).toBe(200);
    expect(snapshot(after.json)).toEqual(sentinelBefore);
    const list = await http(hub.url, 'GET', `/v1/escalations?caseId=${known.sentinelCase}`, { token: eng() });
    expect(list.json.items.map((i: { escalationId: string }) => i.escalationId)).toEqual([known.sentinel]);
    const view = await http(hub.url, 'GET', `/v1/customer/cases/${known.sentinelCase}/partner-incidents`, { token: cust() });
    expect(view.status).toBe(200);
    expect(view.json.incidents).toHaveLength(1);
    // one incident at the partner for it, still
    expect([...sandbox.incidents.values()].filter((i) => i.externalRef === `hub:${known.sentinel}`)).toHaveLength(1);
    const fresh = await flagAndOpen(newCase({ summary: 'After the fuzz' }));
    expect(fresh.partnerTicket.number).toMatch(/.+/);
    expect((await send({ method: 'GET', path: '/health', headers: {}, body: undefined, note: '' })).status).toBe(200);
  });
});
