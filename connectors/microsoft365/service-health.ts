/**
 * `microsoft365` (service health): the tenant's Microsoft 365 service health issues through Microsoft Graph,
 * `GET {graphUrl}/admin/serviceAnnouncement/issues` with an application token (client credentials,
 * `ServiceHealth.Read.All`), every page followed through `@odata.nextLink` (on the Graph host only). An
 * issue is active while `isResolved` is false and its `status` does not already say it ended; only the
 * profile's `services` and `classifications` count, compared case-insensitively (Graph's documented
 * answers spell the enums `Incident`, `ServiceRestored`); `status` is kept in the enum's own spelling
 * (`serviceRestored`). A 429 fails the poll as a transient
 * PartnerCallError carrying `Retry-After` (fractional seconds included), which the poller waits out.
 */
import * as z from 'zod';
import { systemClock, type Clock, type KnownIncident } from '../../core/ports';
import { graphTokens, sameOrigin } from '../entra-token';
import { defineHttpHalf } from '../halves';
import { call, expectResponse, partnerClient } from '../partner-http';
import { namesIncluding } from '../settings';
import { microsoft365 } from './descriptor';
import { adminCenterUrl, ENDED_STATUSES, enumValue } from './mapping';

const Issue = z.looseObject({
  id: z.string().min(1),
  title: z.string().nullish(),
  classification: z.string().nullish(),
  status: z.string().nullish(),
  service: z.string().nullish(),
  isResolved: z.boolean().nullish(),
  startDateTime: z.string(),
  endDateTime: z.string().nullish(),
});
const IssuePage = z.looseObject({ value: z.array(Issue), '@odata.nextLink': z.string().optional() });

/** Pages followed at most (Graph's default page is 100 issues; a tenant keeps about a month of them). */
const MAX_PAGES = 50;

export interface Microsoft365Options { clock?: Clock }

export const microsoft365Source = defineHttpHalf(microsoft365, (cfg, profile, opts: Microsoft365Options = {}) => {
  const graph = partnerClient(cfg.graphUrl, {}, profile);
  const tokens = graphTokens(cfg.loginUrl, cfg.credentials, opts.clock ?? systemClock);
  const wantedService = namesIncluding(cfg.services);
  const wantedClass = namesIncluding(cfg.classifications);
  const active = (i: z.infer<typeof Issue>) => i.isResolved !== true && !ENDED_STATUSES.has((i.status ?? '').toLowerCase())
    && wantedService(i.service) && wantedClass(i.classification);

  return {
    source: microsoft365.id,
    pollIntervalSeconds: cfg.pollIntervalSeconds,
    listActive: () => call('list Microsoft 365 service health issues', async () => {
      const found: KnownIncident[] = [];
      let path: string | undefined = '/admin/serviceAnnouncement/issues';
      for (let page = 0; path && page < MAX_PAGES; page++) {
        const at: string = path;
        const res = await tokens.withToken((token) => graph.get(at, { headers: { authorization: `Bearer ${token}` } }));
        const list = expectResponse('list Microsoft 365 service health issues', res, [200], IssuePage, graphErrorText);
        for (const i of list.value.filter(active)) {
          found.push({
            source: microsoft365.id, id: i.id, title: i.title ?? i.id, status: enumValue(i.status ?? 'unknown'), url: adminCenterUrl(i.id),
            startedAt: i.startDateTime, services: i.service ? [i.service] : [],
          });
        }
        path = sameOrigin(list['@odata.nextLink'], cfg.graphUrl);
      }
      return found;
    }),
  };
});

/** Graph's error body, `{ error: { code, message } }`, as one line. */
function graphErrorText(data: unknown): string | undefined {
  const e = z.object({ error: z.object({ code: z.string(), message: z.string().optional() }) }).safeParse(data);
  return e.success ? `${e.data.error.code}${e.data.error.message ? `: ${e.data.error.message}` : ''}` : undefined;
}
