/**
 * The connector → core edge: every connector the registries build is wrapped here once, so whatever a
 * partner answers or sends (incidents, webhook updates, meetings, meeting events) passes the same checks
 * (core/partner-input.ts) before the core stores or shows any of it, whichever connector spoke.
 * A partner answer that fails them is a transient PartnerCallError, like any unreadable answer (the request
 * may have taken effect); a webhook that fails them is a ValidationError (422).
 */
import { PartnerCallError, ValidationError } from '../core/errors';
import {
  acceptCollaborationEvents, acceptIncident, acceptJointCall, acceptKnownIncident, acceptUpdates, PartnerInputError,
} from '../core/partner-input';
import type { CollaborationConnector, PartnerIncident, ServiceHealthConnector, TicketingConnector } from '../core/ports';

const checked = <T>(what: string, run: () => T): T => {
  try { return run(); } catch (err) {
    if (err instanceof PartnerInputError) throw new PartnerCallError(`${what}: unexpected answer (${err.message})`, true);
    throw err;
  }
};
const message = <T>(what: string, run: () => T): T => {
  try { return run(); } catch (err) {
    if (err instanceof PartnerInputError) throw new ValidationError(`The ${what} is not valid: ${err.message}`, [{ path: err.field, message: err.problem }]);
    throw err;
  }
};

export function guardTicketing(c: TicketingConnector): TicketingConnector {
  const guarded: TicketingConnector = {
    ...c,
    openIncident: async (input) => acceptIncidentOf('open', await c.openIncident(input)),
    findByExternalRef: async (ref) => {
      const found = await c.findByExternalRef(ref);
      return found === undefined ? undefined : acceptIncidentOf('find', found);
    },
    getIncident: async (id) => acceptIncidentOf('get', await c.getIncident(id)),
    // calls passed through hand on all their arguments, so an option a call gains (a comment's
    // idempotencyKey) reaches the connector
    addComment: (...args) => c.addComment(...args),
    verifyWebhook: (...args) => c.verifyWebhook(...args),
    parseWebhook: (req) => message('webhook body', () => acceptUpdates(c.parseWebhook(req))),
  };
  const read = c.readMail;
  if (read) {
    guarded.readMail = (mail, context) => {
      // a ticket number or time the partner's mail yields passes the same checks as a webhook's
      const r = read.call(c, mail, context);
      return r.kind === 'update' ? { kind: 'update', update: message('partner mail', () => acceptUpdates([r.update]))[0]! } : r;
    };
  }
  const list = c.listUpdatedSince;
  if (list) {
    guarded.listUpdatedSince = async (cursor) => {
      const page = await list.call(c, cursor);
      // one unreadable record must not stall the partner's polling: it is left out, the others are applied
      const incidents = page.incidents.flatMap((i) => { try { return [acceptIncident(i)]; } catch { return []; } });
      return { incidents, cursor: page.cursor };
    };
  }
  return guarded;
}

const acceptIncidentOf = (what: string, i: PartnerIncident): PartnerIncident => checked(what, () => acceptIncident(i));

export function guardCollaboration(c: CollaborationConnector): CollaborationConnector {
  return {
    ...c,
    scheduleJointCall: async (req) => {
      const call = await c.scheduleJointCall(req);
      return checked('schedule', () => acceptJointCall(call));
    },
    verifyWebhook: (...args) => c.verifyWebhook(...args),
    parseWebhook: (req) => message('meeting event body', () => acceptCollaborationEvents(c.parseWebhook(req))),
  };
}

export function guardServiceHealth(c: ServiceHealthConnector): ServiceHealthConnector {
  return {
    source: c.source,
    // read when asked: a stand-in built from the descriptor alone refuses it (kinds.ts `refusing`)
    get pollIntervalSeconds() { return c.pollIntervalSeconds; },
    listActive: async () => {
      // one unreadable incident must not hide the others: it is left out, as polling does (guardTicketing)
      const listed = await c.listActive();
      return listed.flatMap((i) => { try { return [acceptKnownIncident(i)]; } catch { return []; } });
    },
  };
}
