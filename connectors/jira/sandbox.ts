/**
 * A sandbox Jira Service Management site: `POST /rest/servicedeskapi/request`, `GET .../request/{idOrKey}`,
 * `POST .../request/{idOrKey}/comment`, `GET /rest/api/3/search/jql` (JQL `labels = "…"` only) and
 * `PUT /rest/api/3/issue/{id}` (label add), Basic `{email}:{apiToken}`, Jira's JSON and error bodies.
 * Agents move requests with `move(issueIdOrKey, statusName, comment?)` (any workflow status name) or
 * `POST /_sandbox/requests/{idOrKey}/transition` `{ "status", "comment"? }`; with a `webhookSecret` the move
 * is sent to the hub as a `jira:issue_updated` admin webhook with a status changelog, signed with
 * `X-Hub-Signature` and identified by `X-Atlassian-Webhook-Identifier`.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { defineSandbox } from '../halves';
import { type SandboxFault, serveSandbox, takeFault, readBody, jsonSender } from '../sandbox';
import { signJiraWebhook } from './webhook';
import { jira } from './descriptor';

export interface JiraSandboxRequest {
  issueId: string; issueKey: string; serviceDeskId: string; requestTypeId: string; summary: string; description: string;
  labels: string[]; status: string; statusId: string; created: number; statusDate: number; updated: number;
  comments: { id: string; body: string; public: boolean; created: number }[];
}

export interface JiraSandboxOptions {
  port?: number;
  email: string;
  apiToken: string;
  serviceDeskId: string;
  requestTypeId: string;
  projectKey?: string;
  webhookSecret?: string;
  webhookUrl?: string;
  /** Whether the request type's form has the Labels field (JSM refuses fields that are not on it). */
  labelsOnForm?: boolean;
}

const CATEGORY: Record<string, { id: number; key: string; name: string; colorName: string }> = {
  new: { id: 2, key: 'new', name: 'To Do', colorName: 'blue-gray' },
  indeterminate: { id: 4, key: 'indeterminate', name: 'In Progress', colorName: 'yellow' },
  done: { id: 3, key: 'done', name: 'Done', colorName: 'green' },
};
const categoryOf = (status: string) => {
  const s = status.toLowerCase();
  if (['open', 'new', 'to do', 'waiting for support'].includes(s)) return CATEGORY.new!;
  if (['resolved', 'done', 'closed', 'canceled', 'cancelled', 'declined', 'completed'].includes(s)) return CATEGORY.done!;
  return CATEGORY.indeterminate!;
};
/** Jira's own date rendering, in UTC: `2026-11-25T10:00:00.000+0000`. */
const jiraDate = (ms: number) => new Date(ms).toISOString().replace('Z', '+0000');
const jsmDate = (ms: number) => ({
  iso8601: jiraDate(ms).replace(/\.\d{3}\+/, '+'), jira: jiraDate(ms), friendly: 'Today', epochMillis: ms,
});


export async function startJiraSandbox(opts: JiraSandboxOptions) {
  const requests = new Map<string, JiraSandboxRequest>();
  const calls: { method: string; path: string; query: string; body: string }[] = [];
  const faults: SandboxFault[] = [];
  const settings: { webhookUrl?: string | undefined } = { webhookUrl: opts.webhookUrl };
  const lose = { creates: 0 };
  const project = opts.projectKey ?? 'SUP';
  let seq = 1;
  let issueSeq = 10000;
  const expectedAuth = `Basic ${Buffer.from(`${opts.email}:${opts.apiToken}`).toString('base64')}`;
  const find = (idOrKey: string) => requests.get(idOrKey) ?? [...requests.values()].find((r) => r.issueKey === idOrKey);
  const statusIds = new Map<string, string>([['waiting for support', '10001']]);
  const statusIdOf = (name: string) => {
    const k = name.toLowerCase();
    if (!statusIds.has(k)) statusIds.set(k, String(10001 + statusIds.size));
    return statusIds.get(k)!;
  };

  const base = () => `http://127.0.0.1:${port()}`;
  const view = (r: JiraSandboxRequest) => ({
    _expands: ['participant', 'status', 'sla', 'requestType', 'serviceDesk', 'attachment', 'action', 'comment'],
    issueId: r.issueId, issueKey: r.issueKey, requestTypeId: r.requestTypeId, serviceDeskId: r.serviceDeskId,
    createdDate: jsmDate(r.created),
    reporter: { accountId: '5b10ac8d82e05b22cc7d4ef5', emailAddress: opts.email, displayName: 'Escalation hub', active: true, timeZone: 'Etc/UTC' },
    requestFieldValues: [
      { fieldId: 'summary', label: 'What do you need?', value: r.summary },
      { fieldId: 'description', label: 'Why do you need this?', value: r.description },
    ],
    currentStatus: { status: r.status, statusCategory: categoryOf(r.status).key.toUpperCase(), statusDate: jsmDate(r.statusDate) },
    _links: {
      jiraRest: `${base()}/rest/api/2/issue/${r.issueId}`,
      web: `${base()}/servicedesk/customer/portal/${r.serviceDeskId}/${r.issueKey}`,
      self: `${base()}/rest/servicedeskapi/request/${r.issueId}`,
    },
  });
  const issueJson = (r: JiraSandboxRequest) => ({
    id: r.issueId, self: `${base()}/rest/api/3/issue/${r.issueId}`, key: r.issueKey,
    fields: {
      summary: r.summary, labels: r.labels, updated: jiraDate(r.updated), created: jiraDate(r.created),
      status: { self: `${base()}/rest/api/3/status/${r.statusId}`, description: '', iconUrl: `${base()}/images/icons/statuses/generic.png`, name: r.status, id: r.statusId, statusCategory: categoryOf(r.status) },
      project: { id: '10000', key: project, name: 'Partner support' },
      issuetype: { id: '10002', name: 'Service Request' },
    },
  });

  async function notify(r: JiraSandboxRequest, from: { id: string; name: string }, comment?: JiraSandboxRequest['comments'][number]) {
    if (!settings.webhookUrl || !opts.webhookSecret) return;
    const body = JSON.stringify({
      timestamp: r.updated,
      webhookEvent: 'jira:issue_updated',
      issue_event_type_name: comment ? 'issue_commented' : 'issue_generic',
      user: { accountId: '557058:f58131cb-b67d-43c7-b30d-6b58d40bd077', displayName: 'Partner agent', active: true, accountType: 'atlassian' },
      issue: issueJson(r),
      changelog: { id: String(Date.now()), items: [{ field: 'status', fieldtype: 'jira', fieldId: 'status', from: from.id, fromString: from.name, to: r.statusId, toString: r.status }] },
      ...(comment ? { comment: { id: comment.id, body: comment.body, jsdPublic: comment.public, created: jiraDate(comment.created), updated: jiraDate(comment.created), author: { displayName: 'Partner agent' } } } : {}),
    });
    await fetch(settings.webhookUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json; charset=UTF-8',
        'x-atlassian-webhook-identifier': randomUUID(),
        'x-atlassian-webhook-flow': 'Primary',
        'x-hub-signature': signJiraWebhook(opts.webhookSecret, body),
      },
      body,
      signal: AbortSignal.timeout(5000),
    });
  }

  async function move(idOrKey: string, status: string, comment?: string) {
    const r = find(idOrKey);
    if (!r) throw new Error(`no request ${idOrKey}`);
    if (!status.trim()) throw new Error('a status name is required');
    const from = { id: r.statusId, name: r.status };
    const now = Date.now();
    Object.assign(r, { status: status.trim(), statusId: statusIdOf(status.trim()), statusDate: now, updated: now });
    let c: JiraSandboxRequest['comments'][number] | undefined;
    if (comment) { c = { id: String(20000 + seq++), body: comment, public: true, created: now }; r.comments.push(c); }
    await notify(r, from, c);
    return view(r);
  }

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const send = jsonSender(res, 'application/json;charset=UTF-8');
    const jsmError = (code: number, message: string) => send(code, { errorMessage: message, i18nErrorMessage: { i18nKey: 'sd.sandbox.error', parameters: [] } });
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const body = await readBody(req);
    const admin = /^\/_sandbox\/requests\/([^/]+)\/transition$/.exec(url.pathname);
    if (admin && req.method === 'POST') {
      try {
        const { status, comment } = JSON.parse(body) as { status: string; comment?: string };
        return send(200, await move(decodeURIComponent(admin[1]!), String(status), comment));
      } catch (e) {
        return send(400, { error: (e as Error).message });
      }
    }
    if (url.pathname === '/_sandbox/requests' && req.method === 'GET') return send(200, { values: [...requests.values()] });

    if (req.headers.authorization !== expectedAuth) return send(401, { errorMessages: ['You are not authenticated. Authentication required to perform this operation.'], errors: {} });
    const call = { method: req.method ?? 'GET', path: url.pathname, query: url.search, body };
    calls.push(call);
    const fault = await takeFault(faults, call);
    if (fault) {
      res.writeHead(fault.status, { 'content-type': 'application/json;charset=UTF-8', ...(fault.status === 429 ? { 'ratelimit-reason': 'jira-quota-tenant-based' } : {}), ...fault.headers });
      return res.end(JSON.stringify({ errorMessages: [fault.status === 429 ? 'Rate limit exceeded.' : `Sandbox answered ${fault.status}`], errors: {} }));
    }
    let json: Record<string, unknown> = {};
    if (body) {
      try { json = JSON.parse(body) as Record<string, unknown>; } catch { return send(400, { errorMessages: ['Unexpected character in the request body'], errors: {} }); }
    }

    if (url.pathname === '/rest/servicedeskapi/request' && req.method === 'POST') {
      if (String(json.serviceDeskId) !== opts.serviceDeskId) return jsmError(404, `The service project with ID ${String(json.serviceDeskId)} doesn't exist.`);
      if (String(json.requestTypeId) !== opts.requestTypeId) return jsmError(400, `The request type with ID ${String(json.requestTypeId)} doesn't exist in the service project.`);
      const fields = (json.requestFieldValues ?? {}) as Record<string, unknown>;
      if (typeof fields.summary !== 'string' || !fields.summary.trim()) return jsmError(400, 'Your request could not be created. Please check the fields have been correctly filled in. Summary is required.');
      const unknown = Object.keys(fields).filter((f) => !['summary', 'description', ...(opts.labelsOnForm === false ? [] : ['labels'])].includes(f));
      if (unknown.length) return jsmError(400, `Field '${unknown[0]!}' cannot be set. It is not on the appropriate screen, or unknown.`);
      const now = Date.now();
      const r: JiraSandboxRequest = {
        issueId: String(issueSeq++), issueKey: `${project}-${seq++}`, serviceDeskId: opts.serviceDeskId, requestTypeId: opts.requestTypeId,
        summary: fields.summary, description: typeof fields.description === 'string' ? fields.description : '',
        labels: Array.isArray(fields.labels) ? fields.labels.map(String) : [], status: 'Waiting for support', statusId: '10001',
        created: now, statusDate: now, updated: now, comments: [],
      };
      requests.set(r.issueId, r);
      if (lose.creates > 0) { lose.creates--; res.destroy(); return; }
      return send(201, view(r));
    }
    const one = /^\/rest\/servicedeskapi\/request\/([^/]+)(\/comment)?$/.exec(url.pathname);
    if (one) {
      const r = find(decodeURIComponent(one[1]!));
      if (!r) return jsmError(404, 'The request could not be found.');
      if (!one[2] && req.method === 'GET') return send(200, view(r));
      if (one[2] && req.method === 'POST') {
        if (typeof json.body !== 'string' || !json.body) return jsmError(400, 'The comment body is required.');
        const now = Date.now();
        const c = { id: String(20000 + seq++), body: json.body, public: json.public !== false, created: now };
        r.comments.push(c);
        r.updated = now;
        return send(201, { id: c.id, body: c.body, public: c.public, author: { emailAddress: opts.email, displayName: 'Escalation hub' }, created: jsmDate(now) });
      }
    }
    if (url.pathname === '/rest/api/3/search/jql' && (req.method === 'GET' || req.method === 'POST')) {
      const jql = req.method === 'GET' ? url.searchParams.get('jql') ?? '' : String(json.jql ?? '');
      const m = /^\s*labels\s*=\s*"([^"]+)"\s*(ORDER BY created (ASC|DESC))?\s*$/i.exec(jql);
      if (!m) return send(400, { errorMessages: [`Error in the JQL Query: the sandbox understands only labels = "<label>" (got ${jql})`], errors: {} });
      const hits = [...requests.values()].filter((r) => r.labels.includes(m[1]!)).sort((a, b) => (m[3]?.toUpperCase() === 'DESC' ? b.created - a.created : a.created - b.created));
      return send(200, { issues: hits.map(issueJson), isLast: true });
    }
    const issue = /^\/rest\/api\/3\/issue\/([^/]+)$/.exec(url.pathname);
    if (issue && req.method === 'PUT') {
      const r = find(decodeURIComponent(issue[1]!));
      if (!r) return send(404, { errorMessages: ['Issue does not exist or you do not have permission to see it.'], errors: {} });
      const ops = ((json.update as { labels?: { add?: unknown; remove?: unknown }[] } | undefined)?.labels ?? []);
      for (const op of ops) {
        if (typeof op.add === 'string' && !r.labels.includes(op.add)) r.labels.push(op.add);
        if (typeof op.remove === 'string') r.labels = r.labels.filter((l) => l !== op.remove);
      }
      r.updated = Date.now();
      res.writeHead(204);
      return res.end();
    }
    return send(404, { errorMessages: ['Not found'], errors: {} });
  };

  const served = await serveSandbox(handle, opts.port);
  const port = () => served.port;
  return {
    baseUrl: base(),
    requests,
    calls,
    faults,
    settings,
    lose,
    move,
    close: served.close,
  };
}
export type JiraSandbox = Awaited<ReturnType<typeof startJiraSandbox>>;

export const jiraSandboxFactory = defineSandbox(jira, (s, _p, { port, webhookUrl }) => startJiraSandbox({
  port, email: s.credentials.email, apiToken: s.credentials.apiToken,
  serviceDeskId: s.serviceDeskId ?? '1', requestTypeId: s.requestTypeId ?? '1',
  ...(s.labelVia === 'issue' ? { labelsOnForm: false } : {}),
  ...(webhookUrl ? { webhookUrl } : {}), ...(s.webhookSecret ? { webhookSecret: s.webhookSecret } : {}),
}));
