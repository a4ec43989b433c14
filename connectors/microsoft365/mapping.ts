/**
 * Graph's `serviceHealthIssue` as the source reads it, shared by the HTTP half and the sandbox. Sources:
 * microsoft-graph-docs-contrib `api-reference/v1.0/resources/servicehealthissue.md` (fields, enums) and
 * `api-reference/v1.0/api/serviceannouncement-list-issues.md` (the list, paged by `@odata.nextLink`).
 * The enums are camelCase (`incident`, `serviceRestored`) but the documentation's own examples answer
 * `"Incident"`, `"ServiceRestored"`: every enum value is compared case-insensitively.
 */

/** `status` values that say the issue is over even while `isResolved` lags (compared in lower case). */
export const ENDED_STATUSES: ReadonlySet<string> = new Set([
  'servicerestored', 'postincidentreviewpublished', 'falsepositive', 'resolved', 'resolvedexternal', 'mitigated', 'mitigatedexternal',
]);

/**
 * An enum value in the enum's own spelling (camelCase: `ServiceRestored` → `serviceRestored`), so that the
 * hub stores, shows and compares one spelling whichever casing Graph answered.
 */
export const enumValue = (v: string) => v.charAt(0).toLowerCase() + v.slice(1);

/** Where a tenant's admin reads the issue (Microsoft 365 admin center, Service health). */
export const adminCenterUrl = (id: string) => `https://admin.microsoft.com/Adminportal/Home#/servicehealth/:/alerts/${encodeURIComponent(id)}`;
