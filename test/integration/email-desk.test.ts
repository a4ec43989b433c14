/**
 * The sandbox mail desk over real sockets: the hub's mail sent to it through the local SMTP transport, its
 * agents' mail taken by the local SMTP listener (standing in for the hub), driven by its methods and by
 * its HTTP control routes as curl drives it.
 */
import { simpleParser, type ParsedMail } from 'mailparser';
import { startMailDesk, type MailDesk } from '../../connectors/email/sandbox';
import { silentLog } from '../../core/deps';
import { MailRefusedError, startSmtpListener, type SmtpListener } from '../../local/smtp-listener';
import { smtpMailTransport } from '../../local/smtp-transport';
import { waitFor } from '../support/local-hub';

const HUB = 'escalations@vendor.example';
const INBOUND = 'partner-replies@inbound.vendor.example';

let desk: MailDesk;
let hub: SmtpListener;
let inbox: ParsedMail[];
/** What the hub does with the next mail it is handed: nothing (taken), or throw (answered 451). */
let outcome: () => void;

beforeEach(async () => {
  inbox = [];
  outcome = () => undefined;
  hub = await startSmtpListener({ port: 0, dataDir: 'memory', log: silentLog, onMail: async (raw) => { outcome(); inbox.push(await simpleParser(Buffer.from(raw))); } });
  desk = await startMailDesk({ address: 'support@partner-mail.example', mailTo: hub.url, firstTrackingNumber: 4711 });
});
afterEach(async () => { await desk.close(); await hub.close(); });

let n = 0;
/** The hub's mail as the email connector writes it: `[ref]` in the subject, a Message-ID derived from the ref, Reply-To its inbound address. */
async function hubMail(ref: string, over: { messageId?: string; inReplyTo?: string; subject?: string } = {}) {
  const messageId = over.messageId ?? `${ref.replace(':', '=3A')}.open@vendor.example`;
  const text = `Findings ${++n}`;
  await smtpMailTransport(desk.relay).send({
    from: HUB, to: ['support@partner-mail.example'], replyTo: INBOUND, subject: over.subject ?? `[${ref}] Calls drop after 55 minutes`,
    messageId, text, html: `<p>${text}</p>`, date: new Date(),
    ...(over.inReplyTo ? { inReplyTo: over.inReplyTo, references: [over.inReplyTo] } : { references: [] }),
  });
  return messageId;
}

const inThread = (mail: ParsedMail, id: string) => mail.inReplyTo === `<${id}>` && [mail.references].flat().includes(`<${id}>`);

describe('the sandbox mail desk', () => {
  it('acknowledges a new incident with its tracking number in the subject, in the hub\'s thread, to the hub\'s Reply-To', async () => {
    const opening = await hubMail('hub:esc_A1');
    const [ack] = await waitFor('the acknowledgement', async () => inbox.length === 1 && inbox);
    expect(ack!.subject).toBe('[TrackingID#4711] Re: [hub:esc_A1] Calls drop after 55 minutes');
    expect(ack!.text).toContain('TrackingID#4711');
    expect(ack!.from?.value[0]?.address).toBe('support@partner-mail.example');
    expect((ack!.to as { text: string }).text).toBe(INBOUND);
    expect(inThread(ack!, opening)).toBe(true);
    expect(desk.incidents.get('hub:esc_A1')).toMatchObject({ trackingNumber: '4711', threadId: opening, replyAddress: INBOUND });
    expect(desk.incidents.get('hub:esc_A1')!.sent[0]).toMatchObject({ kind: 'acknowledgement', state: 'delivered', attempts: 1 });
  });

  it('opens nothing for the same opening sent again, and files the hub\'s replies under their incident', async () => {
    const opening = await hubMail('hub:esc_B1');
    await hubMail('hub:esc_B1');
    const comment = await hubMail('hub:esc_B1', { messageId: 'hub=3Aesc_B1.c-1@vendor.example', inReplyTo: opening, subject: 'Re: [hub:esc_B1] Update' });
    // thread headers alone are enough to file a reply whose subject lost the reference
    const bare = await hubMail('hub:esc_B1', { messageId: 'hub=3Aesc_B1.c-2@vendor.example', inReplyTo: opening, subject: 'Re: Update' });
    await waitFor('the acknowledgement', async () => inbox.length === 1);
    expect(desk.incidents.size).toBe(1);
    expect(desk.incidents.get('hub:esc_B1')!.received.map((m) => m.messageId)).toEqual([opening, comment, bare]);
    expect(desk.received).toHaveLength(4);
  });

  it('mails status and replies in the thread, and one mail each from a stranger and into a forged thread, driven over HTTP', async () => {
    const opening = await hubMail('hub:esc_C1');
    await waitFor('the acknowledgement', async () => inbox.length === 1);
    const post = (path: string, body: unknown = {}) => fetch(`${desk.baseUrl}/_sandbox/incidents/${path}`, { method: 'POST', body: JSON.stringify(body) });

    const status = await post('4711/status', { status: 'In progress', comment: 'An engineer is on it.' });
    expect(status.status).toBe(200);
    expect(await status.json()).toMatchObject({ kind: 'status', state: 'delivered' });
    expect((await post('hub%3Aesc_C1/reply', { body: 'Please send the relay logs.' })).status).toBe(200);
    expect((await post('4711/disallowed')).status).toBe(200);
    expect((await post('4711/forged')).status).toBe(200);
    await waitFor('four more mails', async () => inbox.length === 5);

    const [, statusMail, reply, stranger, forged] = inbox;
    expect(statusMail!.text).toMatch(/^Status: In progress\n\nAn engineer is on it\./);
    expect(reply!.text).toContain('Please send the relay logs.');
    for (const m of [statusMail!, reply!]) {
      expect(m.subject).toContain('[TrackingID#4711]');
      expect(inThread(m, opening)).toBe(true);
    }
    expect(stranger!.from?.value[0]?.address).toBe('someone@not-the-partner.example');
    expect(inThread(stranger!, opening)).toBe(true);
    expect(forged!.from?.value[0]?.address).toBe('support@partner-mail.example');
    expect(forged!.subject).toContain('[hub:esc_C1]');
    expect(inThread(forged!, opening)).toBe(false);
    expect(forged!.inReplyTo).toMatch(/^<hub=3Aesc_[0-9A-F]+\.open@vendor\.example>$/);

    expect((await post('9999/status', { status: 'Resolved' })).status).toBe(404);
    expect((await post('4711/status', {})).status).toBe(400);
    const listed = await (await fetch(`${desk.baseUrl}/_sandbox/incidents`)).json() as { sent: { kind: string }[] }[];
    expect(listed[0]!.sent.map((s) => s.kind)).toEqual(['acknowledgement', 'status', 'reply', 'disallowed', 'forged']);
    expect(await (await fetch(`${desk.baseUrl}/_sandbox/mail`)).json()).toEqual([expect.objectContaining({ messageId: opening, ref: 'hub:esc_C1' })]);
  });

  it('tries its mail again while the hub answers 4xx, and gives up on a 5xx', async () => {
    await hubMail('hub:esc_D1');
    await waitFor('the acknowledgement', async () => inbox.length === 1);
    let refusals = 2;
    outcome = () => { if (refusals-- > 0) throw new Error('store unavailable'); };
    const sent = await desk.status('hub:esc_D1', 'Resolved');
    expect(sent).toMatchObject({ state: 'delivered', attempts: 3 });
    expect(inbox).toHaveLength(2);

    outcome = () => { throw new MailRefusedError('never'); };
    expect(await desk.reply('hub:esc_D1', 'again')).toMatchObject({ state: 'failed', attempts: 1, lastAnswer: expect.stringContaining('554') });
  });

  it('answers the hub\'s mail as scripted by its faults', async () => {
    desk.faults.push({ status: 451 });
    await expect(hubMail('hub:esc_E1')).rejects.toMatchObject({ transient: true, message: expect.stringContaining('451') });
    expect(desk.incidents.size).toBe(0);
    await hubMail('hub:esc_E1');
    expect(desk.incidents.size).toBe(1);
  });
});
