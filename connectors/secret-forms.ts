/**
 * What a connector's secrets must look like, declared in its descriptor (`secrets`), and the checks
 * `hub doctor` runs on them. A check's detail never holds the secret: only its form and length.
 */

/**
 * `standard-webhooks`: `whsec_` and the base64 of the signing key (Standard Webhooks, as generic-rest and
 * servicenow push sign); `base64`: a base64 key; `text`: any non-empty string (a password, a token).
 */
export type SecretForm = 'standard-webhooks' | 'base64' | 'text';
/** A secret at `path` in the connector's settings (dots between keys); `optional`: the connector works without it. */
export interface SecretSpec { path: string; form: SecretForm; optional?: true }

export type SecretVerdict = { ok: true; detail: string } | { ok: false; detail: string } | { ok: 'absent'; detail: string };

/** Canonical base64 (padding included) of at least one byte: what `Buffer.from(s, 'base64')` reads without dropping anything. */
const isBase64 = (s: string) => s.length > 0 && s.length % 4 === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(s);
const bytesOf = (s: string) => Buffer.from(s, 'base64').length;

/** Checks one secret's value (`undefined`: not configured) against its form. */
export function checkSecretForm(spec: SecretSpec, value: unknown): SecretVerdict {
  if (value === undefined || value === null || value === '') {
    return spec.optional ? { ok: 'absent', detail: 'not set (optional)' } : { ok: false, detail: 'is required but not set' };
  }
  if (typeof value !== 'string') return { ok: false, detail: `must be a string, not a ${typeof value}` };
  switch (spec.form) {
    case 'text':
      return value.trim() === '' ? { ok: false, detail: 'is blank' } : { ok: true, detail: `set (${value.length} characters)` };
    case 'base64':
      return isBase64(value) ? { ok: true, detail: `base64, ${bytesOf(value)} bytes` } : { ok: false, detail: 'must be base64 (A-Z, a-z, 0-9, +, /, padded with =)' };
    case 'standard-webhooks': {
      if (!value.startsWith('whsec_')) return { ok: false, detail: 'must start with whsec_ (a Standard Webhooks secret: whsec_<base64>)' };
      const key = value.slice('whsec_'.length);
      return isBase64(key) ? { ok: true, detail: `whsec_ + base64, ${bytesOf(key)} bytes` } : { ok: false, detail: 'must be whsec_ followed by base64 (A-Z, a-z, 0-9, +, /, padded with =)' };
    }
  }
}

/** The value at a dotted `path` of a settings object. */
export function valueAt(settings: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((v, key) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined), settings);
}
