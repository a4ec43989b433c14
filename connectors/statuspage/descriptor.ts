/** `statuspage`: the descriptor and the source's settings (the profile's `serviceHealth`). */
import * as z from 'zod';
import { defineConnector } from '../kinds';
import { httpUrlSetting, pollIntervalSetting } from '../settings';

export const StatuspageSettings = z.object({
  source: z.literal('statuspage'),
  /** The status page's address (`https://status.zoom.us`): its public API is under `/api/v2`. */
  url: httpUrlSetting,
  /** Component names (`Meetings`); none: every incident. Case-insensitive. */
  components: z.array(z.string().min(1)).default([]),
  pollIntervalSeconds: pollIntervalSetting,
});
export type StatuspageSettings = z.infer<typeof StatuspageSettings>;

export const statuspage = defineConnector({
  id: 'statuspage', kind: 'serviceHealth', settings: StatuspageSettings, example: 'zoom-statuspage.json',
  summary: 'an Atlassian Statuspage page (`/api/v2/incidents/unresolved.json`, no credentials): its unresolved incidents of the named components',
});
