/**
 * Sandbox for `statuspage`: a Statuspage page's public API, in memory, no credentials.
 *
 * - `GET /api/v2/incidents/unresolved.json` (investigating, identified, monitoring), `/api/v2/incidents.json`
 *   (all, newest first) and `/api/v2/components.json`, in the page's own format (`page`, `incidents[]` with
 *   `components[]` and `incident_updates[]`).
 * - Driving it (tests, curl): `POST /_sandbox/incidents` `{ name, components: ["Meetings"], impact? }`
 *   starts an incident (`investigating`); `POST /_sandbox/incidents/{id}/updates` `{ status, body? }` posts an
 *   update; `POST /_sandbox/incidents/{id}/resolve` resolves it. Scripted faults answer the page's error.
 *
 * Point `url` at `baseUrl`.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { defineSandbox } from '../halves';
import { jsonSender, readBody, serveSandbox, takeFault, type Sandbox, type SandboxFault } from '../sandbox';
import { statuspage } from './descriptor';

export interface SandboxComponent { id: string; name: string; status: string; created_at: string; updated_at: string; position: number; page_id: string; group_id: null; group: false; only_show_if_degraded: false; description: null }
export interface SandboxStatusIncident {
  id: string; name: string; status: string; impact: string; created_at: string; updated_at: string; started_at: string;
  monitoring_at: string | null; resolved_at: string | null; shortlink: string; page_id: string;
  components: SandboxComponent[];
  incident_updates: { id: string; incident_id: string; status: string; body: string; created_at: string; updated_at: string; display_at: string }[];
}

const PAGE_ID = 'sbxpage0001';
const UNRESOLVED = new Set(['investigating', 'identified', 'monitoring']);
const newId = () => randomBytes(6).toString('hex');

export async function startStatuspageSandbox(opts: { port?: number; componentNames?: string[] } = {}) {
  const incidents = new Map<string, SandboxStatusIncident>();
  const faults: SandboxFault[] = [];
  const components = new Map<string, SandboxComponent>();
  const now = () => new Date().toISOString();
  const component = (name: string): SandboxComponent => {
    const known = [...components.values()].find((c) => c.name.toLowerCase() === name.toLowerCase());
    if (known) return known;
    const at = now();
    const c: SandboxComponent = { id: newId(), name, status: 'operational', created_at: at, updated_at: at, position: components.size + 1, page_id: PAGE_ID, group_id: null, group: false, only_show_if_degraded: false, description: null };
    components.set(c.id, c);
    return c;
  };
  for (const name of opts.componentNames ?? ['Meetings', 'Phone', 'Team Chat']) component(name);
  let baseUrl = '';

  function update(id: string, status: string, body = `This incident is now ${status}.`): SandboxStatusIncident | undefined {
    const incident = incidents.get(id);
    if (!incident) return undefined;
    const at = now();
    incident.incident_updates.unshift({ id: newId(), incident_id: id, status, body, created_at: at, updated_at: at, display_at: at });
    Object.assign(incident, { status, updated_at: at }, status === 'monitoring' ? { monitoring_at: at } : {}, status === 'resolved' ? { resolved_at: at } : {});
    for (const c of incident.components) Object.assign(c, { status: status === 'resolved' ? 'operational' : 'major_outage', updated_at: at });
    return incident;
  }
  function start(input: { name: string; components?: string[]; impact?: string }): SandboxStatusIncident {
    const at = now();
    const id = newId();
    const incident: SandboxStatusIncident = {
      id, name: input.name, status: 'investigating', impact: input.impact ?? 'major', created_at: at, updated_at: at, started_at: at,
      monitoring_at: null, resolved_at: null, shortlink: `${baseUrl}/incidents/${id}`, page_id: PAGE_ID,
      components: (input.components ?? []).map(component), incident_updates: [],
    };
    incidents.set(id, incident);
    update(id, 'investigating', 'We are investigating this issue.');
    return incident;
  }
  const resolve = (id: string) => update(id, 'resolved', 'This incident has been resolved.');

  const page = () => ({ id: PAGE_ID, name: 'Sandbox Status', url: baseUrl, time_zone: 'Etc/UTC', updated_at: now() });
  const newestFirst = () => [...incidents.values()].sort((a, b) => b.created_at.localeCompare(a.created_at));

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const body = await readBody(req);
    const send = jsonSender(res, 'application/json; charset=utf-8');
    const admin = url.pathname.match(/^\/_sandbox\/incidents(?:\/([^/]+)\/(updates|resolve))?$/);
    if (admin && req.method === 'POST') {
      const input = (body ? JSON.parse(body) : {}) as { name?: string; components?: string[]; impact?: string; status?: string; body?: string };
      if (!admin[1]) return input.name ? send(201, start({ ...input, name: input.name })) : send(400, { error: 'name is required' });
      const id = decodeURIComponent(admin[1]);
      const incident = admin[2] === 'resolve' ? resolve(id) : input.status ? update(id, input.status, input.body) : undefined;
      return incident ? send(200, incident) : send(incidents.has(id) ? 400 : 404, { error: incidents.has(id) ? 'status is required' : `no incident ${id}` });
    }
    const fault = await takeFault(faults, { method: req.method ?? 'GET', path: url.pathname });
    if (fault) return send(fault.status, { error: 'scripted failure' }, fault.headers);
    if (req.method === 'GET' && url.pathname === '/api/v2/incidents/unresolved.json') return send(200, { page: page(), incidents: newestFirst().filter((i) => UNRESOLVED.has(i.status)) });
    if (req.method === 'GET' && url.pathname === '/api/v2/incidents.json') return send(200, { page: page(), incidents: newestFirst().slice(0, 50) });
    if (req.method === 'GET' && url.pathname === '/api/v2/components.json') return send(200, { page: page(), components: [...components.values()] });
    return send(404, { error: 'Not found' });
  };

  const served = await serveSandbox(handle, opts.port);
  baseUrl = served.baseUrl;
  return {
    baseUrl,
    faults,
    settings: {},
    incidents, start, update, resolve,
    /** Posts an update with that status (`move` of every sandbox); `resolved` resolves it. */
    move: async (id: string, status: string, comment?: string) => update(id, status, comment),
    close: served.close,
  } satisfies Sandbox & Record<string, unknown>;
}
export type StatuspageSandbox = Awaited<ReturnType<typeof startStatuspageSandbox>>;

/** Starts on the port of the profile's `serviceHealth.url`, with the components it names. */
export const statuspageSandbox = defineSandbox(statuspage, (s, _p, { port }) => startStatuspageSandbox({ port, componentNames: s.components }), (s) => s.url);
