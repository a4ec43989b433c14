/**
 * `statuspage` (service health): a public Atlassian Statuspage page (status.zoom.us), no credentials.
 * `GET {url}/api/v2/incidents/unresolved.json` lists the incidents not resolved yet (investigating,
 * identified, monitoring) with the components each affects; only those of the profile's `components`
 * count (by name, case-insensitive). An incident that names no component is kept: its reach is not
 * known, and an engineer dismisses a wrong suggestion faster than a customer waits out a missed one.
 * Sources: the Statuspage public API as MongoDB's status page documents it
 * (mongodb.com/docs/api/doc/cloud-status/operation/operation-getunresolvedincidents).
 */
import * as z from 'zod';
import type { KnownIncident } from '../../core/ports';
import { defineHttpHalf } from '../halves';
import { call, expectResponse, partnerClient } from '../partner-http';
import { namesIncluding } from '../settings';
import { statuspage } from './descriptor';

const Incident = z.looseObject({
  id: z.string().min(1),
  name: z.string(),
  status: z.string(),
  created_at: z.string(),
  started_at: z.string().nullish(),
  resolved_at: z.string().nullish(),
  shortlink: z.string().nullish(),
  components: z.array(z.looseObject({ name: z.string() })).default([]),
});
const Unresolved = z.looseObject({ incidents: z.array(Incident) });

export const statuspageSource = defineHttpHalf(statuspage, (cfg, profile) => {
  const page = partnerClient(cfg.url, {}, profile);
  const wanted = namesIncluding(cfg.components);
  const base = cfg.url.replace(/\/$/, '');
  return {
    source: statuspage.id,
    pollIntervalSeconds: cfg.pollIntervalSeconds,
    listActive: () => call('list Statuspage unresolved incidents', async () => {
      const res = await page.get('/api/v2/incidents/unresolved.json');
      const { incidents } = expectResponse('list Statuspage unresolved incidents', res, [200], Unresolved);
      return incidents
        .filter((i) => i.resolved_at == null && (i.components.length === 0 || i.components.some((c) => wanted(c.name))))
        .map((i): KnownIncident => ({
          source: statuspage.id, id: i.id, title: i.name, status: i.status,
          url: i.shortlink ?? `${base}/incidents/${encodeURIComponent(i.id)}`,
          startedAt: i.started_at ?? i.created_at, services: i.components.map((c) => c.name),
        }));
    }),
  };
});
