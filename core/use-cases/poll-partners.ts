import type { Needs } from '../deps';
import { PartnerCallError } from '../errors';
import { PROBLEM_PARTNER_CREDENTIALS } from '../escalation';
import type { PollStateStore } from '../ports';
import { applyPartnerUpdates, updateOf, type ApplyDeps } from './apply-partner-updates';
import { credentialsRefused } from './hub-problems';

/**
 * Polls partners whose connector can list incidents by update time (e.g. ServiceNow), for status that
 * does not come back by webhook (the scheduled poller).
 * Steps, per partner, at most once per `pollIntervalSeconds`: read the saved cursor; ask the connector for
 * incidents updated since; apply each like a webhook update (the state machine ignores what is not newer,
 * so overlapping polls are harmless); save the new cursor. A partner failure is logged and retried on the
 * next run; the cursor only moves after the updates are applied, so nothing is skipped. A 401/403 (the
 * partner refuses the hub's credentials) also raises the alarm metric (`HubProblems`).
 */
export async function pollPartners(deps: ApplyDeps & Needs<never, PollStateStore>): Promise<Record<string, number | string>> {
  const now = deps.clock.now();
  const result: Record<string, number | string> = {};
  for (const partner of deps.config.partners) {
    const connector = deps.connectors.ticketing(partner.id);
    if (!connector?.listUpdatedSince || connector.mode === 'manual') continue;
    const state = await deps.store.getPollState(partner.id);
    if (state && now.getTime() - Date.parse(state.polledAt) < partner.pollIntervalSeconds * 1000) continue;
    try {
      const { incidents, cursor } = await connector.listUpdatedSince(state?.cursor);
      if (incidents.length) {
        await applyPartnerUpdates(deps, {
          partnerId: partner.id,
          deliveryId: `poll:${now.toISOString()}`,
          updates: incidents.map(updateOf),
        }, { deferUnknown: false });
      }
      await deps.store.savePollState(partner.id, { cursor, polledAt: now.toISOString() });
      result[partner.id] = incidents.length;
    } catch (err) {
      if (!(err instanceof PartnerCallError)) throw err;
      if (credentialsRefused(err)) {
        // the hub's own credentials: an alarm, not a quiet log line (the next run tries again)
        deps.metrics?.count('HubProblems', partner.id);
        deps.log.error('the partner refused the hub\'s credentials', { partnerId: partner.id, operation: 'poll', httpStatus: err.httpStatus, code: PROBLEM_PARTNER_CREDENTIALS });
        result[partner.id] = `${PROBLEM_PARTNER_CREDENTIALS}: ${err.message}`;
        continue;
      }
      deps.log.warn('partner poll failed', { partnerId: partner.id, httpStatus: err.httpStatus, error: err.message });
      result[partner.id] = `failed: ${err.message}`;
    }
  }
  return result;
}
