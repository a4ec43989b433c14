import { checkSecretForm, valueAt, type SecretSpec } from '../../connectors/secret-forms';
import { CATALOG } from '../../connectors/generated/descriptors';

const webhook: SecretSpec = { path: 'webhookSecret', form: 'standard-webhooks', optional: true };
const key: SecretSpec = { path: 'key', form: 'base64' };
const text: SecretSpec = { path: 'credentials.password', form: 'text' };

describe('secret forms', () => {
  it.each([
    ['whsec_c2FuZGJveC1taWNyb3NvZnQtd2ViaG9vay1zZWNyZXQ=', true, 'whsec_ + base64, 32 bytes'],
    ['c2FuZGJveC1taWNyb3NvZnQtd2ViaG9vay1zZWNyZXQ=', false, 'must start with whsec_'],
    ['whsec_', false, 'followed by base64'],
    ['whsec_not base64!', false, 'followed by base64'],
    ['whsec_c2FuZGJveA', false, 'followed by base64'], // unpadded: Buffer would drop the tail silently
  ])('Standard Webhooks %s', (value, ok, detail) => {
    const v = checkSecretForm(webhook, value);
    expect(v.ok).toBe(ok);
    expect(v.detail).toContain(detail);
  });

  it('base64: canonical, padded, at least one byte', () => {
    expect(checkSecretForm(key, 'AAEC')).toEqual({ ok: true, detail: 'base64, 3 bytes' });
    for (const bad of ['AAE', 'AA=A', '****', 'whsec_AAEC']) expect(checkSecretForm(key, bad).ok).toBe(false);
  });

  it('text: non-empty and not blank; a required secret that is absent fails, an optional one is only absent', () => {
    expect(checkSecretForm(text, 'hunter2')).toEqual({ ok: true, detail: 'set (7 characters)' });
    expect(checkSecretForm(text, '   ').ok).toBe(false);
    expect(checkSecretForm(text, undefined)).toEqual({ ok: false, detail: 'is required but not set' });
    expect(checkSecretForm(webhook, undefined).ok).toBe('absent');
    expect(checkSecretForm(text, 42)).toEqual({ ok: false, detail: 'must be a string, not a number' });
  });

  it('never puts the secret in its detail', () => {
    for (const [spec, value] of [[webhook, 'whsec_bad secret'], [key, 'bad secret'], [text, 'good-secret'], [webhook, 'whsec_Z29vZC1zZWNyZXQ=']] as const) {
      expect(checkSecretForm(spec, value).detail).not.toContain(value.replace('whsec_', ''));
    }
  });

  it('reads the value at a dotted path of the settings', () => {
    expect(valueAt({ credentials: { password: 'p' } }, 'credentials.password')).toBe('p');
    expect(valueAt({ credentials: 'x' }, 'credentials.password')).toBeUndefined();
  });

  it('each connector with credentials declares its secrets (its descriptor says what they must look like)', () => {
    const declared = Object.fromEntries(CATALOG.map((d) => [d.id, (d.secrets ?? []).map((s) => `${s.path}:${s.form}`)]));
    expect(declared['generic-rest']).toContain('webhookSecret:standard-webhooks');
    expect(declared.servicenow).toContain('webhookSecret:standard-webhooks');
    for (const id of ['generic-rest', 'servicenow', 'zendesk', 'jira', 'tsanet', 'teams', 'zoom']) expect(declared[id]!.length).toBeGreaterThan(0);
    expect(declared.manual).toEqual([]);
  });
});
