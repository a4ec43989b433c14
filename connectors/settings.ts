/** Building blocks of connectors' settings schemas (descriptor.ts), with messages that name the setting. */
import * as z from 'zod';

/** A required, non-empty string setting whose messages name it. */
export const requiredSetting = (what: string) => z.string({ error: `${what} is required` }).min(1, `${what} must not be empty`);
/** How often a partner system is polled (a service-health source's `pollIntervalSeconds`). */
export const pollIntervalSetting = z.number().int().min(30, 'pollIntervalSeconds must be at least 30').default(300);
/** Names compared case-insensitively (services, components): the profile's spelling need not be the source's. */
export const namesIncluding = (wanted: readonly string[]) => {
  const set = new Set(wanted.map((w) => w.toLowerCase()));
  return (name: string | null | undefined) => set.size === 0 || (name != null && set.has(name.toLowerCase()));
};
export const httpUrlSetting = z.url({ protocol: /^https?$/, error: 'must be an http or https URL' });
/** A desk's `mapping.severity.values`: the desk's value → the hub's severity (at least one). */
const deskSeverityValues = z.record(z.string(), z.enum(['critical', 'high', 'medium', 'low'])).refine((v) => Object.keys(v).length > 0, 'maps no value');

/**
 * A desk's `mapping`: where each field of `POST /v1/escalations` is read (`at`: how this desk names a place,
 * a JSON Pointer or a field name), `severity` (that place, `locate`, and `values`: the desk's value → the
 * hub's severity) and `partnerRelated` (the test that makes an event a flag).
 */
export const deskMapping = <A extends z.ZodType, L extends z.ZodRawShape, P extends z.ZodType>(at: A, locate: L, partnerRelated: P) => z.strictObject({
  caseId: at, customerId: at, platform: at, severity: z.strictObject({ ...locate, values: deskSeverityValues }), summary: at, findings: at, partnerRelated,
});
