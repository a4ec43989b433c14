/**
 * Sandbox for `microsoft365`: Microsoft Graph's service health issues and Entra's token endpoint, in memory.
 *
 * - `POST /{tenantId}/oauth2/v2.0/token` (client credentials) issues bearer tokens; a wrong secret is 401.
 * - `GET …/admin/serviceAnnouncement/issues` (under any root, e.g. `/v1.0`) checks the bearer token and
 *   answers `pageSize` issues a page with an absolute `@odata.nextLink` (`$skiptoken`), newest first.
 *   Enum values come in both casings, as Graph's documentation shows them: every other issue in the
 *   documentation's examples' `"Incident"` / `"ServiceRestored"`, the others in the enum's `incident` /
 *   `serviceRestored`.
 * - Driving it (tests, curl): `POST /_sandbox/issues` `{ service, title, classification?, id? }` starts an
 *   issue (`investigating`); `POST /_sandbox/issues/{id}/posts` `{ status, description? }` posts an update;
 *   `POST /_sandbox/issues/{id}/resolve` resolves it (`serviceRestored`, `isResolved`); `GET /_sandbox/issues`
 *   lists them. Scripted faults (`faults`: a 429 with a fractional `Retry-After`) answer Graph's error body.
 *
 * Point `graphUrl` at `baseUrl + '/v1.0'` and `loginUrl` at `baseUrl`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { entraTokenAnswer, graphError } from '../entra-sandbox';
import type { EntraCredentials } from '../entra-token';
import { defineSandbox } from '../halves';
import { jsonSender, readBody, SandboxTokens, serveSandbox, takeFault, type Sandbox, type SandboxFault } from '../sandbox';
import { microsoft365 } from './descriptor';

export interface Microsoft365SandboxOptions extends EntraCredentials {
  port?: number;
  /** Issues per page (Graph: 100 by default); small, so that paging is always exercised. */
  pageSize?: number;
  tokenLifetimeSeconds?: number;
}

export interface SandboxIssue {
  id: string; title: string; service: string; feature: string; classification: 'incident' | 'advisory';
  status: string; isResolved: boolean; startDateTime: string; endDateTime: string | null; lastModifiedDateTime: string;
  posts: { createdDateTime: string; postType: 'regular'; description: { contentType: 'html'; content: string } }[];
}

const ISSUES = /\/admin\/serviceAnnouncement\/issues$/;
/** `serviceRestored` → `ServiceRestored`: the casing of Graph's documented example answers. */
const documentedCase = (v: string) => v.charAt(0).toUpperCase() + v.slice(1);

export async function startMicrosoft365Sandbox(opts: Microsoft365SandboxOptions) {
  const issues = new Map<string, SandboxIssue>();
  const tokens = new SandboxTokens('sbx-m365-', opts.tokenLifetimeSeconds ?? 3599);
  const faults: SandboxFault[] = [];
  const pageSize = opts.pageSize ?? 2;
  let serial = 0;
  const now = () => new Date().toISOString();

  const view = (i: SandboxIssue, n: number) => {
    const cased = n % 2 === 0 ? documentedCase : (v: string) => v;
    return {
      startDateTime: i.startDateTime, endDateTime: i.endDateTime, lastModifiedDateTime: i.lastModifiedDateTime,
      title: i.title, id: i.id, impactDescription: i.title, classification: cased(i.classification), origin: cased('microsoft'),
      status: cased(i.status), service: i.service, feature: i.feature, featureGroup: i.feature, isResolved: i.isResolved,
      highImpact: null, details: [], posts: i.posts,
    };
  };

  function start(input: { service: string; title: string; classification?: 'incident' | 'advisory'; id?: string }): SandboxIssue {
    const at = now();
    const id = input.id ?? `${input.service.toLowerCase().includes('teams') ? 'TM' : 'MO'}${100000 + ++serial}`;
    const issue: SandboxIssue = {
      id, title: input.title, service: input.service, feature: input.service, classification: input.classification ?? 'incident',
      status: 'investigating', isResolved: false, startDateTime: at, endDateTime: null, lastModifiedDateTime: at, posts: [],
    };
    issues.set(id, issue);
    return issue;
  }
  function post(id: string, status: string, description = `Status: ${status}`): SandboxIssue | undefined {
    const issue = issues.get(id);
    if (!issue) return undefined;
    const at = now();
    Object.assign(issue, { status, lastModifiedDateTime: at });
    issue.posts.push({ createdDateTime: at, postType: 'regular', description: { contentType: 'html', content: description } });
    return issue;
  }
  function resolve(id: string): SandboxIssue | undefined {
    const issue = post(id, 'serviceRestored', 'The service is restored.');
    if (issue) Object.assign(issue, { isResolved: true, endDateTime: issue.lastModifiedDateTime });
    return issue;
  }

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const body = await readBody(req);
    const send = jsonSender(res, 'application/json');
    const admin = url.pathname.match(/^\/_sandbox\/issues(?:\/([^/]+)\/(posts|resolve))?$/);
    if (admin) {
      if (req.method === 'GET' && !admin[1]) return send(200, { items: [...issues.values()] });
      const input = (body ? JSON.parse(body) : {}) as Record<string, string>;
      if (!admin[1]) return input.service && input.title ? send(201, start(input as never)) : send(400, { error: 'service and title are required' });
      const id = decodeURIComponent(admin[1]);
      const issue = admin[2] === 'resolve' ? resolve(id) : input.status ? post(id, input.status, input.description) : undefined;
      return issue ? send(200, issue) : send(issues.has(id) ? 400 : 404, { error: issues.has(id) ? 'status is required' : `no issue ${id}` });
    }

    const fault = await takeFault(faults, { method: req.method ?? 'GET', path: url.pathname });
    if (fault) return send(fault.status, graphError(fault.status === 429 ? 'TooManyRequests' : 'ScriptedFailure', 'Please retry again later.'), fault.headers);

    const token = entraTokenAnswer(req, url.pathname, body, opts, tokens);
    if (token) return send(...token);
    if (!tokens.accepts(req.headers.authorization)) return send(401, graphError('InvalidAuthenticationToken', 'Access token is empty, expired or not issued by this sandbox.'));

    if (req.method === 'GET' && ISSUES.test(url.pathname)) {
      const all = [...issues.values()].sort((a, b) => b.startDateTime.localeCompare(a.startDateTime) || b.id.localeCompare(a.id));
      const skip = Number(url.searchParams.get('$skiptoken') ?? 0);
      const next = skip + pageSize < all.length ? `http://${req.headers.host}${url.pathname}?$skiptoken=${skip + pageSize}` : undefined;
      return send(200, {
        '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#admin/serviceAnnouncement/issues',
        ...(next ? { '@odata.nextLink': next } : {}),
        value: all.slice(skip, skip + pageSize).map((i, n) => view(i, skip + n)),
      });
    }
    return send(404, graphError('ResourceNotFound', `No route for ${req.method} ${url.pathname} in the sandbox.`));
  };

  const served = await serveSandbox(handle, opts.port);
  return {
    baseUrl: served.baseUrl,
    faults,
    settings: {},
    issues, start, post, resolve,
    /** Posts an update with that status (`move` of every sandbox); `serviceRestored` resolves the issue. */
    move: async (id: string, status: string, comment?: string) => (status.toLowerCase() === 'servicerestored' ? resolve(id) : post(id, status, comment)),
    get tokenRequests() { return tokens.requests; },
    close: served.close,
  } satisfies Sandbox & Record<string, unknown>;
}
export type Microsoft365Sandbox = Awaited<ReturnType<typeof startMicrosoft365Sandbox>>;

/** Starts from the profile's `serviceHealth` settings; it listens on the port of `graphUrl` (point `loginUrl` there too). */
export const microsoft365Sandbox = defineSandbox(microsoft365, (s, _p, { port }) => startMicrosoft365Sandbox({ port, ...s.credentials }), (s) => s.graphUrl);
