/**
 * Issue 14, item 2, on the local runtime over HTTP and SMTP: a partner reached by e-mail, played by the
 * sandbox mail desk. The flag goes out as a mail with `[externalRef]` in its subject; the desk's
 * acknowledgement comes back by SMTP with the tracking number, then its status mails; an engineer's
 * comment goes out in the thread; a mail from a disallowed sender and one with a forged thread are
 * recorded on the escalation and dropped. Every mail the hub took is stored under the data directory.
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMailDesk, type MailDesk } from '../../connectors/email/sandbox';
import { parseHubConfig } from '../../core/config';
import { silentLog } from '../../core/deps';
import { startLocalHub, type LocalHub } from '../../local/hub';
import { uid } from '../support/fixtures';
import { http, engineerToken, JWT_SECRET, waitFor } from '../support/local-hub';

interface TimelineEntry { type: string; detail?: Record<string, unknown> }

let desk: MailDesk;
let hub: LocalHub;
let dataDir: string;

beforeAll(async () => {
  desk = await startMailDesk({ address: 'support@partner-mail.example' });
  const config = parseHubConfig({
    partners: [{
      id: 'partner-mail', name: 'Partner Mail', platforms: ['partner-mail'], connector: 'email', baseUrl: desk.baseUrl,
      to: 'support@partner-mail.example', from: 'escalations@vendor.example', replyTo: 'partner-mail@escalations-in.vendor.example',
      ticketNumberPattern: 'TrackingID#(\\d+)',
      statusPatterns: [{ pattern: 'Status: In progress', status: 'in_progress' }, { pattern: 'Status: Resolved', status: 'resolved' }],
      allowedSenders: ['partner-mail.example'], smtp: desk.relay,
      retry: { maxAttempts: 3, initialDelayMs: 10, maxDelayMs: 50 },
    }],
  }, {});
  dataDir = mkdtempSync(join(tmpdir(), 'hub-e2e-mail-'));
  hub = await startLocalHub({ config, dataDir, jwtSecret: JWT_SECRET, log: silentLog, sweepIntervalMs: 500 });
  desk.settings.mailTo = hub.smtp!.url;
});
afterAll(async () => { await hub?.stop(); await desk?.close(); });

const escalation = async (id: string) => (await http(hub.url, 'GET', `/v1/escalations/${id}`, { token: engineerToken() })).json;
const dropped = (esc: { timeline: TimelineEntry[] }) => esc.timeline.filter((t) => t.type === 'partner_mail_dropped');

it('listens for partners\' mail on an ephemeral loopback port', () => {
  expect(hub.smtp).toEqual({ url: `smtp://127.0.0.1:${hub.smtp!.port}`, port: expect.any(Number) });
  expect(hub.smtp!.port).toBeGreaterThan(0);
});

it('mails the incident, takes the tracking number and status from the desk\'s replies, threads a comment, and drops the disallowed and forged mails', async () => {
  const caseId = uid('CASE');
  const flagged = await http(hub.url, 'POST', '/v1/escalations', {
    token: engineerToken(),
    body: { caseId, customerId: 'acme', platform: 'partner-mail', severity: 'high', summary: 'Calls drop after 55 minutes', findings: 'The media relay closes the sessions.' },
  });
  expect(flagged.status).toBe(202);
  const id: string = flagged.json.escalationId;
  const ref = `hub:${id}`;

  // the desk receives the incident, with the reference in brackets in its subject, and acknowledges it
  const incident = await waitFor('the desk to receive the incident', async () => desk.incidents.get(ref));
  const opening = incident.received[0]!;
  expect(opening.subject.startsWith(`[${ref}] `)).toBe(true);
  expect(opening.subject).toContain('Calls drop after 55 minutes');
  expect(opening.from).toBe('escalations@vendor.example');
  expect(opening.replyTo).toBe('partner-mail@escalations-in.vendor.example');
  expect(opening.text).toContain('The media relay closes the sessions.');

  // the acknowledgement arrives by SMTP: the escalation shows the tracking number
  const acknowledged = await waitFor('the tracking number', async () => {
    const esc = await escalation(id);
    return esc.partnerTicket?.number === incident.trackingNumber ? esc : false;
  });
  expect(acknowledged.status).toBe('open');
  expect(incident.sent[0]).toMatchObject({ kind: 'acknowledgement', state: 'delivered' });

  // a status mail moves it
  expect(await desk.status(ref, 'In progress', 'An engineer is on it.')).toMatchObject({ state: 'delivered' });
  await waitFor('in_progress, with the desk\'s note in the timeline', async () => {
    const esc = await escalation(id);
    return esc.status === 'in_progress' && esc.timeline.some((t: TimelineEntry) => t.type === 'partner_comment' && String(t.detail?.body).startsWith('Status: In progress\n\nAn engineer is on it.'));
  });

  // an engineer's comment goes out as a reply in the incident's thread
  const commented = await http(hub.url, 'POST', `/v1/escalations/${id}/comments`, { token: engineerToken(), body: { body: 'Repro on firmware 4.1.0' } });
  expect(commented.status).toBe(202);
  const reply = await waitFor('the comment at the desk', async () => incident.received.find((m) => m.text.includes('Repro on firmware 4.1.0')));
  expect(reply.inReplyTo).toBe(opening.messageId);
  expect(reply.references).toContain(opening.messageId);
  expect(reply.subject).toContain(`[${ref}]`);

  // from a disallowed sender, and with a forged thread: both would resolve it; both are recorded and dropped
  expect(await desk.disallowed(ref)).toMatchObject({ state: 'delivered' });
  expect(await desk.forged(ref)).toMatchObject({ state: 'delivered' });
  const after = await waitFor('both drops recorded', async () => {
    const esc = await escalation(id);
    return dropped(esc).length === 2 ? esc : false;
  });
  const reasons = dropped(after).map((t) => String(t.detail?.reason));
  expect(reasons).toEqual([expect.stringContaining('not among the partner\'s allowedSenders'), expect.stringContaining('forged thread')]);
  expect(dropped(after).map((t) => t.detail?.from)).toEqual(['someone@not-the-partner.example', 'support@partner-mail.example']);
  expect(after.status).toBe('in_progress');
  expect(after.partnerTicket.number).toBe(incident.trackingNumber);

  // every mail the hub took is kept: the acknowledgement, the status mail and the two dropped ones
  expect(readdirSync(join(dataDir, 'mail')).filter((f) => f.endsWith('.eml'))).toHaveLength(4);
});
