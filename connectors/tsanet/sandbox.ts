/**
 * A sandbox TSANet Connect: the API the connector calls (`POST /v1/login`, the Entra token endpoint
 * `POST /{tenant}/oauth2/v2.0/token`, `GET /v1/me`, `GET /v1/forms/company/{id}`, `POST|GET /v1/collaboration-requests`
 * with `internalCaseNumber` and `updatedAfter`, `GET /v1/collaboration-requests/{token}`, its `notes` and
 * `information-response`), requests kept in memory, TSANet's error bodies (RFC 7807 problem details when
 * asked for them, else the legacy `{ message, validationErrors }`).
 * The receiving member's side, as a test or the demo drives it: `approve`, `reject`, `requestInformation`,
 * `addNote`, `closeRequest` (or `POST /_sandbox/requests/{token}/{approval|rejection|information-request|notes|closure}`);
 * a receiver's note is announced by a signed thin `note.created` webhook, as TSANet does.
 * Times have TSANet's one-second resolution, from `now` (tests make two updates in one second).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { defineSandbox } from '../halves';
import { signHubSignature } from '../hub-signature';
import { type SandboxFault, serveSandbox, takeFault, readBody, jsonSender, SandboxTokens } from '../sandbox';
import { tsanet } from './descriptor';

/** `direction` as the submitter (the hub) reads it: `OUTBOUND` for its own notes, `INBOUND` for the receiver's. */
export interface TsanetSandboxNote { token: string; summary: string; description: string; type: string; companyName: string; direction: 'INBOUND' | 'OUTBOUND'; createdAt: string }
export interface TsanetSandboxRequest {
  id: number; token: string; internalCaseNumber: string; status: string;
  summary: string; description: string; priority: string; documentId: number;
  customFields: { fieldId: number; value: string }[];
  submitterContactDetails: unknown;
  receiverCaseNumber: string | null;
  createdAt: string; updatedAt: string; respondBy: string; responded: boolean;
  caseNotes: TsanetSandboxNote[];
  caseResponses: Record<string, unknown>[];
  /** Information responses received from the submitter (the hub). */
  informationResponses: string[];
  /** The status an information response returns the request to (the one the receiver asked from). */
  resumeStatus?: string;
}

export interface TsanetFormField { fieldId: number; label: string; required: boolean }

export interface TsanetSandboxOptions {
  port?: number;
  username?: string;
  password?: string;
  /** Entra client credentials the token endpoint accepts. */
  clientId?: string;
  clientSecret?: string;
  partnerCompanyId: string;
  documentId?: number;
  formFields?: TsanetFormField[];
  webhookSecret?: string;
  webhookUrl?: string;
  tokenLifetimeSeconds?: number;
  /** The sandbox's clock (TSANet times are whole seconds). */
  now?: () => Date;
}

/** `YYYY-MM-DDTHH:MM:SSZ`. */
const tsanetTimeOf = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
const RESPOND_WITHIN_MS = 4 * 3600 * 1000;
const RECEIVER = 'Partner Corp (sandbox)';
const ENGINEER = { engineerName: 'Sandbox Engineer', engineerEmail: 'engineer@partner.example' };

export async function startTsanetSandbox(opts: TsanetSandboxOptions) {
  const now = opts.now ?? (() => new Date());
  const requests = new Map<string, TsanetSandboxRequest>();
  const calls: { method: string; path: string; query: string; body: string }[] = [];
  const faults: SandboxFault[] = [];
  const settings: { webhookUrl?: string | undefined } = { webhookUrl: opts.webhookUrl };
  const tokens = new SandboxTokens('sbx-tsanet-', opts.tokenLifetimeSeconds ?? 3600);
  /** Creates that take effect but whose answer is lost (the connection is dropped). */
  const lose = { creates: 0 };
  const documentId = opts.documentId ?? 4711;
  const formFields = opts.formFields ?? [
    { fieldId: 101, label: 'Customer Tenant ID', required: true },
    { fieldId: 102, label: 'Support Contract', required: false },
  ];
  let seq = 1000;

  async function notify(eventType: string, requestToken: string, noteToken?: string) {
    if (!settings.webhookUrl || !opts.webhookSecret) return;
    const body = JSON.stringify({ eventType, requestToken, ...(noteToken ? { noteToken } : {}), timestamp: tsanetTimeOf(now()) });
    await fetch(settings.webhookUrl, {
      method: 'POST', body, signal: AbortSignal.timeout(5000),
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signHubSignature(opts.webhookSecret, body) },
    });
  }

  function request(token: string): TsanetSandboxRequest {
    const r = requests.get(token);
    if (!r) throw new Error(`no collaboration request ${token}`);
    return r;
  }
  /** A receiver's action: moves the request and records it as a case response. */
  function respond(token: string, status: string, response: Record<string, unknown> | undefined, allowed: string[]) {
    const r = request(token);
    if (!allowed.includes(r.status)) throw new Error(`${r.status} cases cannot move to ${status}`);
    Object.assign(r, { status, updatedAt: tsanetTimeOf(now()), responded: true });
    if (response) r.caseResponses.push({ id: r.caseResponses.length + 1, ...ENGINEER, createdAt: r.updatedAt, ...response });
    return r;
  }

  const receiver = {
    approve: (token: string, caseNumber: string, nextSteps = '') => {
      const r = respond(token, 'ACCEPTED', { type: 'APPROVAL', caseNumber, nextSteps }, ['OPEN', 'INFORMATION']);
      r.receiverCaseNumber = caseNumber;
      return r;
    },
    reject: (token: string, reason: string) => respond(token, 'REJECTED', { type: 'REJECTION', reason }, ['OPEN', 'INFORMATION']),
    requestInformation: (token: string, requestedInformation: string) => {
      const resumeStatus = request(token).status;
      return Object.assign(respond(token, 'INFORMATION', { type: 'INFORMATION_REQUEST', requestedInformation }, ['OPEN', 'ACCEPTED']), { resumeStatus });
    },
    closeRequest: (token: string) => respond(token, 'CLOSED', undefined, ['ACCEPTED', 'REJECTED', 'INFORMATION', 'OPEN']),
    addNote: async (token: string, summary: string, description = summary) => {
      const r = request(token);
      const note: TsanetSandboxNote = { token: randomUUID(), summary, description, type: 'USER_PARTNER', companyName: RECEIVER, direction: 'INBOUND', createdAt: tsanetTimeOf(now()) };
      r.caseNotes.push(note);
      r.updatedAt = note.createdAt;
      await notify('note.created', token, note.token);
      return r;
    },
  };

  /** `Sandbox.move` in TSANet's words: the status the receiver sets, `comment` its case number, reason or question. */
  async function move(token: string, status: string, comment?: string) {
    switch (status.toUpperCase()) {
      case 'ACCEPTED': return receiver.approve(token, comment ?? `CASE-${seq++}`);
      case 'REJECTED': return receiver.reject(token, comment ?? 'End customer does not have support');
      case 'INFORMATION': return receiver.requestInformation(token, comment ?? 'Please send the logs');
      case 'CLOSED': return receiver.closeRequest(token);
      default: throw new Error(`unknown status ${status}`);
    }
  }

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const body = await readBody(req);
    const json = (): Record<string, unknown> => { try { return JSON.parse(body) as Record<string, unknown>; } catch { return {}; } };
    const send = jsonSender(res, 'application/json');
    const problems = /application\/problem\+json/.test(req.headers.accept ?? '');
    /** TSANet's error answer: problem details when the caller asked for them, else the legacy body. */
    const fail = (status: number, title: string, message: string, validationErrors: { field: string; message: string }[] = []) => problems
      ? jsonSender(res, 'application/problem+json')(status, { type: `https://connect2.tsanet.org/problems/${title}`, title, status, detail: message, instance: url.pathname })
      : send(status, { message, validationErrors });

    const admin = url.pathname.match(/^\/_sandbox\/requests\/([^/]+)\/(approval|rejection|information-request|notes|closure)$/);
    if (admin && req.method === 'POST') {
      const token = decodeURIComponent(admin[1]!);
      const b = json();
      try {
        const text = (k: string) => String(b[k] ?? '');
        const done = {
          approval: () => receiver.approve(token, text('caseNumber') || `CASE-${seq++}`, text('nextSteps')),
          rejection: () => receiver.reject(token, text('reason')),
          'information-request': () => receiver.requestInformation(token, text('requestedInformation')),
          notes: () => receiver.addNote(token, text('summary'), text('description') || text('summary')),
          closure: () => receiver.closeRequest(token),
        }[admin[2] as 'approval'];
        return send(200, await done());
      } catch (e) {
        return send(400, { message: (e as Error).message });
      }
    }
    if (url.pathname === '/_sandbox/requests' && req.method === 'GET') return send(200, [...requests.values()]);

    calls.push({ method: req.method ?? 'GET', path: url.pathname, query: url.search, body });
    const fault = await takeFault(faults, { method: req.method ?? 'GET', path: url.pathname });
    if (fault) {
      if (res.destroyed) return;
      res.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers });
      return res.end(JSON.stringify({ message: 'scripted failure' }));
    }

    if (url.pathname === '/v1/login' && req.method === 'POST') {
      const b = json();
      if (!opts.username || b.username !== opts.username || b.password !== opts.password) return fail(401, 'unauthorized', 'Invalid username or password');
      tokens.requests++;
      return send(200, { accessToken: tokens.issue(), tokenType: 'Bearer', expiresIn: tokens.lifetimeSeconds });
    }
    if (/^\/[^/]+\/oauth2\/v2\.0\/token$/.test(url.pathname) && req.method === 'POST') {
      const form = new URLSearchParams(body);
      if (!opts.clientId || form.get('client_id') !== opts.clientId || form.get('client_secret') !== opts.clientSecret) return send(401, { error: 'invalid_client' });
      tokens.requests++;
      return send(200, { token_type: 'Bearer', expires_in: tokens.lifetimeSeconds, access_token: tokens.issue() });
    }
    if (!tokens.accepts(req.headers.authorization)) return fail(401, 'unauthorized', 'Full authentication is required to access this resource');

    // who the token belongs to (PARTNERS.md 1.3): `hub doctor`'s harmless read
    if (url.pathname === '/v1/me' && req.method === 'GET') {
      return send(200, {
        company: { id: 1234, name: 'Submitter', description: 'the hub\'s TSANet member', domain: 'vendor.example' },
        user: { id: 42, username: opts.username ?? opts.clientId, firstName: 'Hub', lastName: 'Service', email: 'escalations@vendor.example', phone: null, phoneCountryCode: null, city: null },
      });
    }
    if (url.pathname === `/v1/forms/company/${opts.partnerCompanyId}` && req.method === 'GET') {
      return send(200, { documentId, customFields: formFields.map((f, i) => ({ ...f, section: 'CONTACT_SECTION', type: 'STRING', displayOrder: i, value: null })) });
    }
    if (url.pathname === '/v1/collaboration-requests' && req.method === 'POST') {
      const b = json();
      const fields = Array.isArray(b.customFields) ? (b.customFields as { fieldId: number; value: string }[]) : [];
      const errors = [
        ...(b.documentId === documentId ? [] : [{ field: 'documentId', message: 'unknown form' }]),
        ...(typeof b.internalCaseNumber === 'string' && b.internalCaseNumber ? [] : [{ field: 'internalCaseNumber', message: 'must not be blank' }]),
        ...(typeof b.problemSummary === 'string' && b.problemSummary ? [] : [{ field: 'problemSummary', message: 'must not be blank' }]),
        ...formFields.filter((f) => f.required && !fields.some((v) => v.fieldId === f.fieldId && v.value)).map((f) => ({ field: `customFields[${f.fieldId}]`, message: `${f.label} is required` })),
      ];
      if (errors.length) return fail(400, 'validation-error', 'Validation failed', errors);
      const at = now();
      const id = seq++;
      const r: TsanetSandboxRequest = {
        id, token: randomBytes(12).toString('hex'), internalCaseNumber: String(b.internalCaseNumber), status: 'OPEN',
        summary: String(b.problemSummary), description: String(b.problemDescription ?? ''), priority: String(b.priority ?? 'MEDIUM'), documentId,
        customFields: fields, submitterContactDetails: b.submitterContactDetails ?? null, receiverCaseNumber: null,
        createdAt: tsanetTimeOf(at), updatedAt: tsanetTimeOf(at), respondBy: tsanetTimeOf(new Date(at.getTime() + RESPOND_WITHIN_MS)), responded: false,
        caseNotes: [], caseResponses: [], informationResponses: [],
      };
      requests.set(r.token, r);
      if (lose.creates > 0) { lose.creates--; res.destroy(); return; }
      return send(201, view(r));
    }
    if (url.pathname === '/v1/collaboration-requests' && req.method === 'GET') {
      const ref = url.searchParams.get('internalCaseNumber');
      const after = url.searchParams.get('updatedAfter');
      const afterMs = after === null ? Number.NaN : Date.parse(after);
      if (after !== null && Number.isNaN(afterMs)) return fail(400, 'bad-request', 'updatedAfter must be YYYY-MM-DDTHH:MM:SSZ');
      return send(200, [...requests.values()]
        .filter((r) => ref === null || r.internalCaseNumber === ref)
        .filter((r) => after === null || Date.parse(r.updatedAt) > afterMs)
        .map(view));
    }
    const m = url.pathname.match(/^\/v1\/collaboration-requests\/([^/]+)(?:\/(notes|information-response))?$/);
    const r = m ? requests.get(decodeURIComponent(m[1]!)) : undefined;
    if (m && !r) return fail(404, 'not-found', 'Collaboration request not found');
    if (r && req.method === 'GET' && !m![2]) return send(200, view(r));
    if (r && req.method === 'POST' && m![2] === 'notes') {
      const b = json();
      if (typeof b.summary !== 'string' || !b.summary || typeof b.description !== 'string') return fail(400, 'validation-error', 'Validation failed', [{ field: 'summary', message: 'must not be blank' }]);
      const note: TsanetSandboxNote = { token: randomUUID(), summary: b.summary, description: b.description, type: String(b.type ?? 'USER_PARTNER'), companyName: 'Submitter', direction: 'OUTBOUND', createdAt: tsanetTimeOf(now()) };
      r.caseNotes.push(note);
      r.updatedAt = note.createdAt;
      return send(201, note);
    }
    if (r && req.method === 'POST' && m![2] === 'information-response') {
      if (r.status !== 'INFORMATION') return fail(422, 'case-update-error', `${r.status} cases cannot receive an information response.`);
      r.informationResponses.push(String(json().requestedInformation ?? ''));
      Object.assign(r, { status: r.resumeStatus ?? 'OPEN', updatedAt: tsanetTimeOf(now()) });
      return send(200, view(r));
    }
    return fail(404, 'not-found', 'Not found');
  };

  const view = (r: TsanetSandboxRequest) => {
    const { informationResponses: _own, resumeStatus: _resume, ...dto } = r;
    return { ...dto, direction: 'OUTBOUND', receiveCompanyId: Number(opts.partnerCompanyId), receiveCompanyName: RECEIVER, submitterCaseNumber: r.internalCaseNumber };
  };

  const served = await serveSandbox(handle, opts.port);
  return {
    baseUrl: served.baseUrl, requests, calls, faults, settings, lose, tokens, move, ...receiver,
    close: served.close,
  };
}
export type TsanetSandbox = Awaited<ReturnType<typeof startTsanetSandbox>>;

export const tsanetSandboxFactory = defineSandbox(tsanet, (s, _p, { port, webhookUrl }) => startTsanetSandbox({
  port, partnerCompanyId: s.partnerCompanyId!,
  ...('username' in s.credentials ? { username: s.credentials.username, password: s.credentials.password } : { clientId: s.credentials.clientId, clientSecret: s.credentials.clientSecret }),
  ...(s.documentId ? { documentId: Number(s.documentId) } : {}),
  ...(webhookUrl ? { webhookUrl } : {}), ...(s.webhookSecret ? { webhookSecret: s.webhookSecret } : {}),
}));
