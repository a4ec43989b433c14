/**
 * `hub doctor`: checks each partner's and each desk's set-up in a configuration, one by one, without
 * starting the hub. Per partner (and per desk, `desks`, its lines named `desk:{deskId}`): every `${NAME}`
 * resolves (all missing names, not only the first); the profile and each connector's settings pass their
 * schemas; each secret has the form its descriptor declares (secret-forms.ts); then the connector's
 * harmless calls (`setUpProbes` on its HTTP half: a token, a read; by default a find with an impossible
 * reference), each after the one before it passed; and the webhook URL to register at the partner (at the
 * desk: its trigger's). The CLI (`hub doctor --config`, through local/doctor.ts) and the admin route
 * (`POST /v1/admin/doctor`, where the secrets are) both run this.
 *
 * A new kind of connector adds its checks the way these do: `KINDS[kind].chosen` names its connector and
 * settings in a profile, its descriptor declares `secrets`, its HTTP half answers `setUpProbes()`, and
 * HALVES and WEBHOOK_PATH below get its entries (TypeScript asks for both).
 */
import { randomUUID } from 'node:crypto';
import { DeskProfile, PartnerProfile, substituteEnv, unsetVariables } from '../core/config';
import { ConfigError } from '../core/errors';
import type { SetUpProbe } from '../core/ports';
import type { DoctorLine, DoctorReport } from '../core/responses';
import { CATALOG } from './generated/descriptors';
import { COLLABORATION_HALVES } from './generated/collaboration';
import { DESK_HALVES } from './generated/desk';
import { SERVICE_HEALTH_HALVES } from './generated/service-health';
import { TICKETING_HALVES } from './generated/ticketing';
import { KINDS, PARTNER_KINDS, settingsOf, type AnyDescriptor, type ConnectorDescriptor, type ConnectorKind, type ProfileOf } from './kinds';
import { checkSecretForm, valueAt } from './secret-forms';

export interface DoctorOptions {
  /** Where `${NAME}` references resolve from (the process environment, with the deployed secrets). */
  env: Record<string, string | undefined>;
  /** The hub's public base URL (HUB_PUBLIC_URL), for the webhook URLs to register; absent: they are not printed. */
  publicUrl?: string | undefined;
}

type Probed = { setUpProbes?: (ref: string) => SetUpProbe[]; findByExternalRef?: (ref: string) => Promise<unknown> };
/** Each kind's HTTP halves, by connector id: the probes are theirs. */
const HALVES: { [K in ConnectorKind]: (d: ConnectorDescriptor<K>, p: ProfileOf<K>) => Probed } = {
  ticketing: (d, p) => TICKETING_HALVES[d.id]!(p, {}),
  collaboration: (d, p) => COLLABORATION_HALVES[d.id]!(p),
  // a source's one call is its read: listing what is active proves the token (Graph) and the address
  serviceHealth: (d, p) => {
    const source = SERVICE_HEALTH_HALVES[d.id]!(p);
    return { setUpProbes: () => [{ check: 'read', run: async () => `${(await source.listActive()).length} active incident(s) listed` }] };
  },
  desk: (d, p) => DESK_HALVES[d.id]!(p),
};
/** Where each kind's webhooks arrive (topology/routes.ts), for a profile id; `undefined`: a kind nothing posts to. */
const WEBHOOK_PATH: Record<ConnectorKind, ((id: string) => string) | undefined> = {
  ticketing: (id) => `/v1/webhooks/${encodeURIComponent(id)}`,
  collaboration: (id) => `/v1/webhooks/${encodeURIComponent(id)}/collaboration`,
  serviceHealth: undefined,
  desk: (id) => `/v1/desks/${encodeURIComponent(id)}/events`,
};

/** What the doctor checks in a list of the configuration: partners (their kinds of connector), desks. */
const SUBJECTS = [
  { list: 'partners', schema: PartnerProfile, kinds: PARTNER_KINDS, name: (id: string) => id },
  // desks and partners have ids of their own: the desk's lines say which it is
  { list: 'desks', schema: DeskProfile, kinds: ['desk'] as const, name: (id: string) => `desk:${id}` },
] as const;
type Subject = (typeof SUBJECTS)[number];

type Line = Omit<DoctorLine, 'partner' | 'connector'>;
const pass = (check: string, detail: string): Line => ({ check, result: 'pass', detail });
const fail = (check: string, detail: string): Line => ({ check, result: 'fail', detail });
const skip = (check: string, detail: string): Line => ({ check, result: 'skip', detail });

/** Runs every check of every partner and desk in `raw` (a parsed config file, `${NAME}` references unresolved). */
export async function runDoctor(raw: unknown, opts: DoctorOptions): Promise<DoctorReport> {
  const list = (name: string) => (typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>)[name] : undefined);
  const partners = list('partners');
  if (!Array.isArray(partners)) {
    const checks: DoctorLine[] = [{ partner: '—', connector: '—', check: 'config', result: 'fail', detail: 'has no "partners" list' }];
    return { ok: false, checks };
  }
  const entries = SUBJECTS.flatMap((subject) => {
    const items = list(subject.list);
    return Array.isArray(items) ? items.map((item, i) => checkEntry(subject, item, i, opts)) : [];
  });
  const checks = (await Promise.all(entries)).flat();
  return { ok: checks.every((c) => c.result !== 'fail'), checks };
}

/** One partner's or desk's checks: variables, its profile, then each connector it names. */
async function checkEntry(subject: Subject, raw: unknown, index: number, opts: DoctorOptions): Promise<DoctorLine[]> {
  const field = (name: string) => (typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>)[name] : undefined);
  const partner = typeof field('id') === 'string' ? subject.name(field('id') as string) : `${subject.list}[${index}]`;
  const lines: DoctorLine[] = [];
  const add = (connector: string, line: Line) => lines.push({ partner, connector, ...line });
  const named = typeof field('connector') === 'string' ? (field('connector') as string) : '—';

  const missing = unsetVariables(raw, opts.env);
  const referenced = unsetVariables(raw, {});
  if (missing.length > 0) {
    add(named, fail('variables', `not set: ${missing.join(', ')}`));
    add(named, skip('set-up', 'not checked until every variable is set'));
    return lines;
  }
  add(named, pass('variables', referenced.length ? `${referenced.length} set (${referenced.join(', ')})` : 'none referenced'));

  const parsed = subject.schema.safeParse(substituteEnv(raw, opts.env));
  if (!parsed.success) {
    add(named, fail('profile', parsed.error.issues.map((i) => `${i.path.join('.') || '(profile)'}: ${i.message}`).join('; ')));
    return lines;
  }
  const profile = parsed.data;
  const secrets = new Set<string>();
  for (const kind of subject.kinds) {
    const chosen = (KINDS[kind].chosen as (p: typeof profile) => { connector: unknown; settings: unknown } | undefined)(profile);
    if (chosen === undefined) continue;
    const descriptor = CATALOG.find((d): d is AnyDescriptor => d.kind === kind && d.id === chosen.connector);
    const connector = typeof chosen.connector === 'string' ? chosen.connector : '—';
    const at = (line: Line) => add(connector, line);
    if (!descriptor) {
      at(fail('connector', `unknown ${KINDS[kind].noun} "${connector}"`));
      continue;
    }
    for (const spec of descriptor.secrets ?? []) {
      const value = valueAt(chosen.settings, spec.path);
      if (typeof value === 'string' && value !== '') secrets.add(value);
    }
    for (const line of await checkConnector(descriptor, profile as ProfileOf<typeof descriptor.kind>, chosen.settings, opts)) at(line);
  }
  // whatever a partner answered (an error echoing a credential) reaches the output without the secrets
  return lines.map((l) => ({ ...l, detail: redact(l.detail, secrets) }));
}

async function checkConnector<K extends ConnectorKind>(d: ConnectorDescriptor<K>, profile: ProfileOf<K>, settings: unknown, opts: DoctorOptions): Promise<Line[]> {
  const lines: Line[] = [];
  let ready = true;
  try {
    settingsOf(d, profile);
    lines.push(pass('settings', `${d.kind} settings valid`));
  } catch (err) {
    ready = false;
    lines.push(fail('settings', err instanceof ConfigError ? err.message : String(err)));
  }
  for (const spec of d.secrets ?? []) {
    const verdict = checkSecretForm(spec, valueAt(settings, spec.path));
    const check = `secret ${spec.path}`;
    if (verdict.ok === 'absent') lines.push(skip(check, verdict.detail));
    else if (verdict.ok) lines.push(pass(check, verdict.detail));
    else { ready = false; lines.push(fail(check, verdict.detail)); }
  }
  lines.push(...(ready ? await runProbes(d, profile) : [skip('partner calls', 'not made until the settings and secrets pass')]));
  const path = WEBHOOK_PATH[d.kind];
  if (path === undefined || (isTicketing(d) && (d.mode === 'manual' || d.webhooks === false))) return lines;
  lines.push(opts.publicUrl
    ? { check: 'webhook URL', result: 'info', detail: `register ${opts.publicUrl.replace(/\/+$/, '')}${path(profile.id)}${d.webhookHint ? ` (${d.webhookHint})` : ''}` }
    : skip('webhook URL', 'the hub has no public URL (HUB_PUBLIC_URL)'));
  return lines;
}

/** The connector's probes, in order; after a failure the rest are not run (a read after a refused token says nothing new). */
async function runProbes<K extends ConnectorKind>(d: ConnectorDescriptor<K>, profile: ProfileOf<K>): Promise<Line[]> {
  if (isTicketing(d) && d.mode === 'manual') return [skip('partner calls', 'manual partner: no API to call')];
  const half = (HALVES[d.kind] as (d: ConnectorDescriptor<K>, p: ProfileOf<K>) => Probed)(d, profile);
  const ref = `hub:doctor-${randomUUID()}`;
  const find = half.findByExternalRef;
  const probes: SetUpProbe[] = half.setUpProbes?.(ref)
    ?? (find ? [{ check: 'read', run: async () => `find by an impossible reference answered ${(await find(ref)) === undefined ? 'nothing, as expected' : 'an incident'}` }] : []);
  if (probes.length === 0) return [skip('partner calls', 'the connector has no set-up probe')];
  const lines: Line[] = [];
  let failed: string | undefined;
  for (const probe of probes) {
    if ('notChecked' in probe) { lines.push(skip(probe.check, probe.notChecked)); continue; }
    if (failed) { lines.push(skip(probe.check, `not run: ${failed} failed`)); continue; }
    try {
      lines.push(pass(probe.check, await probe.run()));
    } catch (err) {
      failed = probe.check;
      lines.push(fail(probe.check, err instanceof Error ? err.message : String(err)));
    }
  }
  return lines;
}

const isTicketing = (d: ConnectorDescriptor): d is ConnectorDescriptor<'ticketing'> => d.kind === 'ticketing';

/** `text` with every secret (and its base64 form, as Basic auth sends it) replaced. */
function redact(text: string, secrets: ReadonlySet<string>): string {
  let out = text;
  for (const s of secrets) {
    for (const form of [s, Buffer.from(s).toString('base64')]) out = out.split(form).join('[secret]');
  }
  return out;
}
