/**
 * `manual`: for partners with no API (e.g. Microsoft since the Partner Center API stopped creating
 * service requests). The engineer opens the incident in the partner's portal and records the number with
 * `POST /v1/escalations/{id}/partner-ticket`, and its status with `POST /v1/escalations/{id}/partner-status`;
 * the hub shows `portalUrl` and instructions, keeps comments in the timeline, and tracks aging.
 */
import * as z from 'zod';
import type { PartnerProfile } from '../../core/config';
import { defineConnector } from '../kinds';

export const ManualSettings = z.object({
  portalUrl: z.url({ protocol: /^https?$/, error: 'portalUrl must be an http or https URL' }),
  instructions: z.string().max(2000).optional(),
});

export const manual = defineConnector({
  id: 'manual', kind: 'ticketing', mode: 'manual', settings: ManualSettings, example: 'microsoft-teams.json',
  summary: "no partner API: an engineer opens the incident in the partner's portal and records its number and status; the hub shows the portal and tracks aging",
});

/** What the engineer is told to do for a manual partner. */
export function manualInstructions(profile: PartnerProfile): { portalUrl: string; instructions: string } | undefined {
  const s = ManualSettings.safeParse(profile);
  if (!s.success) return undefined;
  return {
    portalUrl: s.data.portalUrl,
    instructions: s.data.instructions ?? `Open the incident in ${profile.name}'s portal, then record its number with POST /v1/escalations/{id}/partner-ticket `
      + '(hub partner-ticket). Comments stay in the timeline: copy them to the portal. Record what the portal shows with '
      + 'POST /v1/escalations/{id}/partner-status (hub partner-status).',
  };
}
