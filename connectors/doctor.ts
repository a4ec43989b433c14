/**
 * `hub doctor`: checks each partner's set-up in a configuration, partner by partner, without starting the
 * hub. Per partner: every `${NAME}` resolves (all missing names, not only the first); the profile and each
 * connector's settings pass their schemas; each secret has the form its descriptor declares
 * (secret-forms.ts); then the connector's harmless calls (`setUpProbes` on its HTTP half: a token, a read;
 * by default a find with an impossible reference), each after the one before it passed; and the webhook
 * URL to register at the partner. The CLI (`hub doctor --config`, through local/doctor.ts) and the admin
 * route (`POST /v1/admin/doctor`, where the secrets are) both run this.
 *
 * A new kind of connector adds its checks the way these two do: `KINDS[kind].chosen` names its connector
 * and settings in a profile, its descriptor declares `secrets`, its HTTP half answers `setUpProbes()`, and
 * HALVES and WEBHOOK_SUFFIX below get its entries (TypeScript asks for both).
 */
import { randomUUID } from 'node:crypto';
import { PartnerProfile, substituteEnv, unsetVariables } from '../core/config';
import { ConfigError } from '../core/errors';
import type { SetUpProbe } from '../core/ports';
import type { DoctorLine, DoctorReport } from '../core/responses';
import { CATALOG } from './generated/descriptors';
import { COLLABORATION_HALVES } from './generated/collaboration';
import { SERVICE_HEALTH_HALVES } from './generated/service-health';
import { TICKETING_HALVES } from './generated/ticketing';
import { KINDS, PARTNER_KINDS, settingsOf, type PartnerDescriptor, type PartnerKind } from './kinds';
import { checkSecretForm, valueAt } from './secret-forms';

export interface DoctorOptions {
  /** Where `${NAME}` references resolve from (the process environment, with the deployed secrets). */
  env: Record<string, string | undefined>;
  /** The hub's public base URL (HUB_PUBLIC_URL), for the webhook URLs to register; absent: they are not printed. */
  publicUrl?: string | undefined;
}

/** Each kind's HTTP halves, by connector id: the probes are theirs. */
const HALVES: { [K in PartnerKind]: (d: PartnerDescriptor, p: PartnerProfile) => { setUpProbes?: (ref: string) => SetUpProbe[]; findByExternalRef?: (ref: string) => Promise<unknown> } } = {
  ticketing: (d, p) => TICKETING_HALVES[d.id]!(p, {}),
  collaboration: (d, p) => COLLABORATION_HALVES[d.id]!(p),
  // a source's one call is its read: listing what is active proves the token (Graph) and the address
  serviceHealth: (d, p) => {
    const source = SERVICE_HEALTH_HALVES[d.id]!(p);
    return { setUpProbes: () => [{ check: 'read', run: async () => `${(await source.listActive()).length} active incident(s) listed` }] };
  },
};
/** Where each kind's webhooks arrive, after `/v1/webhooks/{partnerId}` (topology/routes.ts); `undefined`: a kind partners post nothing to. */
const WEBHOOK_SUFFIX: Record<PartnerKind, string | undefined> = { ticketing: '', collaboration: '/collaboration', serviceHealth: undefined };

type Line = Omit<DoctorLine, 'partner' | 'connector'>;
const pass = (check: string, detail: string): Line => ({ check, result: 'pass', detail });
const fail = (check: string, detail: string): Line => ({ check, result: 'fail', detail });
const skip = (check: string, detail: string): Line => ({ check, result: 'skip', detail });

/** Runs every check of every partner in `raw` (a parsed config file, `${NAME}` references unresolved). */
export async function runDoctor(raw: unknown, opts: DoctorOptions): Promise<DoctorReport> {
  const partners = typeof raw === 'object' && raw !== null && Array.isArray((raw as { partners?: unknown }).partners)
    ? (raw as { partners: unknown[] }).partners : undefined;
  if (!partners) {
    const checks: DoctorLine[] = [{ partner: '—', connector: '—', check: 'config', result: 'fail', detail: 'has no "partners" list' }];
    return { ok: false, checks };
  }
  const perPartner = await Promise.all(partners.map((p, i) => checkPartner(p, i, opts)));
  const checks = perPartner.flat();
  return { ok: checks.every((c) => c.result !== 'fail'), checks };
}

async function checkPartner(raw: unknown, index: number, opts: DoctorOptions): Promise<DoctorLine[]> {
  const field = (name: string) => (typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>)[name] : undefined);
  const partner = typeof field('id') === 'string' ? (field('id') as string) : `partners[${index}]`;
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

  const parsed = PartnerProfile.safeParse(substituteEnv(raw, opts.env));
  if (!parsed.success) {
    add(named, fail('profile', parsed.error.issues.map((i) => `${i.path.join('.') || '(profile)'}: ${i.message}`).join('; ')));
    return lines;
  }
  const profile = parsed.data;
  const secrets = new Set<string>();
  // desks (`desks`) are not checked here yet: the doctor reads partner profiles
  for (const kind of PARTNER_KINDS) {
    const chosen = KINDS[kind].chosen(profile);
    if (chosen === undefined) continue;
    const descriptor = CATALOG.find((d): d is PartnerDescriptor => d.kind === kind && d.id === chosen.connector);
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
    for (const line of await checkConnector(descriptor, profile, chosen.settings, opts)) at(line);
  }
  // whatever a partner answered (an error echoing a credential) reaches the output without the secrets
  return lines.map((l) => ({ ...l, detail: redact(l.detail, secrets) }));
}

async function checkConnector(d: PartnerDescriptor, profile: PartnerProfile, settings: unknown, opts: DoctorOptions): Promise<Line[]> {
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
  const suffix = WEBHOOK_SUFFIX[d.kind];
  if (suffix === undefined || (d.kind === 'ticketing' && (d.mode === 'manual' || d.webhooks === false))) return lines;
  lines.push(opts.publicUrl
    ? { check: 'webhook URL', result: 'info', detail: `register ${opts.publicUrl.replace(/\/+$/, '')}/v1/webhooks/${encodeURIComponent(profile.id)}${suffix}` }
    : skip('webhook URL', 'the hub has no public URL (HUB_PUBLIC_URL)'));
  return lines;
}

/** The connector's probes, in order; after a failure the rest are not run (a read after a refused token says nothing new). */
async function runProbes(d: PartnerDescriptor, profile: PartnerProfile): Promise<Line[]> {
  if (d.kind === 'ticketing' && d.mode === 'manual') return [skip('partner calls', 'manual partner: no API to call')];
  const half = HALVES[d.kind](d, profile);
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

/** `text` with every secret (and its base64 form, as Basic auth sends it) replaced. */
function redact(text: string, secrets: ReadonlySet<string>): string {
  let out = text;
  for (const s of secrets) {
    for (const form of [s, Buffer.from(s).toString('base64')]) out = out.split(form).join('[secret]');
  }
  return out;
}
