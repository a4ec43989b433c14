/**
 * A sandbox partner mail desk, for partners reached by e-mail: the support mailbox the `email` connector
 * writes to, and the agents who answer it.
 * - SMTP (smtp-server, loopback): takes the hub's mail. A mail whose subject carries a `[hub:…]` reference
 *   the desk has not seen opens an incident, acknowledged at once with a tracking number in the subject
 *   (`[TrackingID#<n>]`), in the hub's thread (`In-Reply-To` / `References` its mail). The same opening
 *   again (a retry: the same Message-ID) opens nothing; a reply (an engineer's comment) joins its incident.
 * - Agents (HTTP control routes on the sandbox's `baseUrl`, or the methods of the returned desk):
 *   `POST /_sandbox/incidents/{ref}/status {"status", "comment"?}` mails `Status: <status>` in the thread,
 *   `…/reply {"body"}` a reply, `…/disallowed` a status mail from a sender the partner's profile does not
 *   allow, `…/forged` a mail from the desk's own address whose thread headers name another escalation
 *   than its subject; `{ref}` is the incident's `hub:…` reference or its tracking number.
 *   `GET /_sandbox/incidents` and `GET /_sandbox/mail` list the incidents and every mail the desk took.
 * The desk's mail goes to the hub's SMTP listener (`mailTo`, `smtp://host:port`), addressed to the
 * `Reply-To` of the hub's mail; answered 4xx or unreachable, it is tried again a few times, as a mail
 * server would. `faults` script the desk's SMTP answers to the hub (the status as the reply code).
 * Started for a profile with `"sandbox": true`: control routes on the port of its `baseUrl` (which the
 * email connector does not use), SMTP on its `smtp` relay's port, else `DESK_RELAY`'s; it writes from the
 * profile's `to`, the mailbox the hub writes to.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { simpleParser, type AddressObject } from 'mailparser';
import { createTransport } from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
import { SMTPServer } from 'smtp-server';
import { defineSandbox } from '../halves';
import { jsonSender, readBody, serveSandbox, takeFault, type SandboxFault } from '../sandbox';
import { email } from './descriptor';

/** The loopback relay the local runtime sends e-mail partners' mail to when a profile names no `smtp` relay. */
export const DESK_RELAY = { host: '127.0.0.1', port: 2526 } as const;

/** The tracking number in the desk's subjects; a profile for this desk reads it with `TrackingID#(\d+)`. */
export const trackingSubject = (n: string) => `[TrackingID#${n}]`;

/** A mail the desk took from the hub. Ids without angle brackets. */
export interface DeskMail {
  messageId: string; from: string; replyTo: string | undefined; envelopeTo: string[];
  subject: string; text: string; inReplyTo: string | undefined; references: string[];
  /** The `hub:…` reference in the subject. */
  ref: string | undefined;
  receivedAt: string;
}

export type DeskSendKind = 'acknowledgement' | 'status' | 'reply' | 'disallowed' | 'forged';

/** A mail the desk sent the hub, and what became of it. */
export interface DeskSent {
  kind: DeskSendKind; messageId: string; from: string; to: string; subject: string; text: string;
  /** The mail it answers, and its thread: that mail's `References` and its Message-ID (RFC 5322, 3.6.4). */
  inReplyTo: string; references: string[];
  /** `delivered` once the hub answered 250; `failed` after a 5xx or the last try; `pending` meanwhile. */
  state: 'pending' | 'delivered' | 'failed';
  attempts: number; lastAnswer?: string;
}

export interface DeskIncident {
  trackingNumber: string;
  /** The hub's `externalRef`, from the opening mail's subject. */
  ref: string;
  subject: string;
  /** The opening mail's Message-ID: the thread every mail of the incident answers. */
  threadId: string;
  /** Where the desk's mail goes: the opening mail's Reply-To, else its From. */
  replyAddress: string;
  /** The hub's mails of this incident (the opening first, then the comments). */
  received: DeskMail[];
  sent: DeskSent[];
}

export interface MailDeskOptions {
  /** Control routes (HTTP); 0: any free port. */
  port?: number;
  /** Where the desk takes the hub's mail (SMTP); 0: any free port. */
  smtpPort?: number;
  /** The desk's own mailbox: what its agents send from (the profile's `to`, one of its `allowedSenders`). */
  address: string;
  /** A sender the partner's profile does not allow (the `disallowed` mail). */
  strangerAddress?: string;
  /** The hub's SMTP listener, `smtp://127.0.0.1:<port>`; may be set later (`settings.mailTo`). */
  mailTo?: string;
  firstTrackingNumber?: number;
  /** Tries of each mail to the hub, answered 4xx or unreachable, before the desk gives up on it. */
  maxAttempts?: number;
}

const bare = (id: string | undefined) => id?.trim().replace(/^<|>$/g, '') || undefined;
const addressOf = (a: AddressObject | AddressObject[] | undefined) => (Array.isArray(a) ? a[0] : a)?.value[0]?.address?.toLowerCase() ?? '';
const refIn = (subject: string) => /\[(hub:[^\]\s]+)\]/.exec(subject)?.[1];
const domainOf = (address: string) => address.slice(address.lastIndexOf('@') + 1);

export async function startMailDesk(opts: MailDeskOptions) {
  const settings: { webhookUrl?: string | undefined; mailTo?: string | undefined } = { mailTo: opts.mailTo };
  const received: DeskMail[] = [];
  const incidents = new Map<string, DeskIncident>();
  const faults: SandboxFault[] = [];
  const stranger = opts.strangerAddress ?? 'someone@not-the-partner.example';
  const maxAttempts = opts.maxAttempts ?? 6;
  let closing = false;
  let seq = opts.firstTrackingNumber ?? 1_000_001;

  /** An incident by its `hub:…` reference or its tracking number. */
  function incident(ref: string): DeskIncident {
    const found = incidents.get(ref) ?? [...incidents.values()].find((i) => i.trackingNumber === ref);
    if (!found) throw new Error(`no incident ${ref}`);
    return found;
  }

  // a retry's wait never holds the process open; a closed desk tries no more
  const wait = (ms: number) => new Promise<void>((r) => { setTimeout(r, ms).unref(); });

  /** Delivers `sent` to the hub's listener, trying again on a 4xx or no answer (200 ms doubling). */
  async function deliver(sent: DeskSent, raw: Buffer): Promise<DeskSent> {
    for (let delay = 200; sent.attempts < maxAttempts && !closing; delay *= 2) {
      if (!settings.mailTo) { sent.lastAnswer = 'no mailTo: the desk does not know where the hub listens'; break; }
      const { hostname, port } = new URL(settings.mailTo);
      const client = createTransport({ host: hostname, port: Number(port), secure: false, ignoreTLS: true, connectionTimeout: 5000, greetingTimeout: 5000, socketTimeout: 10_000 });
      sent.attempts++;
      try {
        const info = await client.sendMail({ envelope: { from: sent.from, to: [sent.to] }, raw });
        Object.assign(sent, { state: 'delivered', lastAnswer: info.response });
        return sent;
      } catch (err) {
        const { responseCode, message } = err as { responseCode?: number; message: string };
        sent.lastAnswer = message;
        if (responseCode !== undefined && responseCode >= 500) break;
      } finally {
        client.close();
      }
      await wait(delay);
    }
    sent.state = 'failed';
    return sent;
  }

  /** Composes and sends one mail of the desk in the incident's thread. */
  async function send(inc: DeskIncident, kind: DeskSendKind, body: string, over: { from?: string; answers?: string } = {}): Promise<DeskSent> {
    const from = over.from ?? opts.address;
    const opening = inc.received[0]!;
    const [inReplyTo, references] = over.answers === undefined
      ? [opening.messageId, [...opening.references.filter((id) => id !== opening.messageId), opening.messageId]]
      : [over.answers, [over.answers]];
    const sent: DeskSent = {
      kind, messageId: `desk-${randomBytes(8).toString('hex')}@${domainOf(from)}`, from, to: inc.replyAddress,
      subject: `${trackingSubject(inc.trackingNumber)} Re: ${inc.subject}`, text: body, inReplyTo, references, state: 'pending', attempts: 0,
    };
    const raw = await new MailComposer({
      from, to: sent.to, subject: sent.subject, text: body, messageId: `<${sent.messageId}>`, date: new Date(),
      inReplyTo: `<${inReplyTo}>`, references: references.map((id) => `<${id}>`),
    }).compile().build();
    inc.sent.push(sent);
    return deliver(sent, raw);
  }

  const agent = {
    /** The acknowledgement a new incident gets: its tracking number, in the subject and the text. */
    acknowledge: (ref: string) => {
      const inc = incident(ref);
      return send(inc, 'acknowledgement', `Thank you for contacting support. We have opened TrackingID#${inc.trackingNumber} for your request; keep it in the subject of any reply.`);
    },
    /** A status mail (the desk's own words, e.g. `In progress`, `Waiting for your reply`, `Resolved`), with an optional note. */
    status: (ref: string, status: string, comment?: string) =>
      send(incident(ref), 'status', [`Status: ${status}`, ...(comment ? [comment] : [])].join('\n\n')),
    reply: (ref: string, body: string) => send(incident(ref), 'reply', body),
    /** A status mail that would resolve the incident under another tracking number, from a sender the profile does not allow. */
    disallowed: (ref: string) => {
      const inc = incident(ref);
      return send(inc, 'disallowed', 'Status: Resolved\n\nTrackingID#999999 closes this. (Sent from an address the partner does not own.)', { from: stranger });
    },
    /**
     * From the desk's own address, a mail whose thread is forged: its subject names the incident, its
     * thread headers a Message-ID of the hub's form for another escalation (one of no one). It would resolve
     * the incident were it applied.
     */
    forged: (ref: string) => {
      const inc = incident(ref);
      const otherThread = `hub=3Aesc_${randomBytes(8).toString('hex').toUpperCase()}.open@${domainOf(inc.threadId)}`;
      return send(inc, 'forged', 'Status: Resolved\n\nTrackingID#999998 closes this.', { answers: otherThread });
    },
  };

  /** Takes one of the hub's mails: a new incident (acknowledged once the hub has its 250), or a mail of a known one. */
  function file(mail: DeskMail): DeskIncident | undefined {
    received.push(mail);
    const known = mail.ref === undefined ? undefined : incidents.get(mail.ref);
    const inThread = known ?? [...incidents.values()].find((i) => [mail.inReplyTo, ...mail.references].includes(i.threadId));
    if (inThread) {
      if (!inThread.received.some((m) => m.messageId === mail.messageId)) inThread.received.push(mail);
      return undefined;
    }
    if (mail.ref === undefined) return undefined;
    const inc: DeskIncident = {
      trackingNumber: String(seq++), ref: mail.ref, subject: mail.subject, threadId: mail.messageId,
      replyAddress: mail.replyTo ?? mail.from, received: [mail], sent: [],
    };
    incidents.set(inc.ref, inc);
    return inc;
  }

  const smtp = new SMTPServer({
    name: 'desk.sandbox', banner: 'partner mail desk (sandbox)', disabledCommands: ['AUTH', 'STARTTLS'], disableReverseLookup: true, logger: false, closeTimeout: 500,
    onData(stream, session, callback) {
      void (async () => {
        const raw = Buffer.concat(await stream.toArray() as Buffer[]);
        const fault = await takeFault(faults, { method: 'DATA', path: session.envelope.rcptTo.map((r) => r.address).join(',') });
        if (fault) return callback(Object.assign(new Error('scripted failure'), { responseCode: fault.status }));
        const p = await simpleParser(raw);
        const opened = file({
          messageId: bare(p.messageId) ?? `no-id-${randomBytes(6).toString('hex')}`, from: addressOf(p.from), replyTo: addressOf(p.replyTo) || undefined,
          envelopeTo: session.envelope.rcptTo.map((r) => r.address), subject: p.subject ?? '', text: p.text ?? '',
          inReplyTo: bare(p.inReplyTo), references: (Array.isArray(p.references) ? p.references : p.references ? [p.references] : []).map((r) => bare(r)!),
          ref: refIn(p.subject ?? ''), receivedAt: new Date().toISOString(),
        });
        callback();
        // acknowledged after the 250, as a desk's autoresponder does
        if (opened) void agent.acknowledge(opened.ref);
      })().catch((err: Error) => callback(Object.assign(err, { responseCode: 451 })));
    },
  });
  await new Promise<void>((done, fail) => {
    smtp.server.once('error', fail);
    smtp.listen(opts.smtpPort ?? 0, '127.0.0.1', () => { smtp.server.off('error', fail); done(); });
  });
  const smtpPort = (smtp.server.address() as AddressInfo).port;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const send = jsonSender(res, 'application/json');
    let body: Record<string, unknown> = {};
    try { body = JSON.parse((await readBody(req)) || '{}') as Record<string, unknown>; } catch { return send(400, { message: 'the body must be JSON' }); }
    if (req.method === 'GET' && url.pathname === '/_sandbox/incidents') return send(200, [...incidents.values()]);
    if (req.method === 'GET' && url.pathname === '/_sandbox/mail') return send(200, received);
    const m = url.pathname.match(/^\/_sandbox\/incidents\/([^/]+)\/(status|reply|disallowed|forged)$/);
    if (!m || req.method !== 'POST') return send(404, { message: 'not found' });
    const ref = decodeURIComponent(m[1]!);
    const text = (k: string) => (typeof body[k] === 'string' ? body[k] : undefined);
    if (!incidents.get(ref) && ![...incidents.values()].some((i) => i.trackingNumber === ref)) return send(404, { message: `no incident ${ref}` });
    if (m[2] === 'status' && !text('status')) return send(400, { message: 'status is required, e.g. {"status": "In progress"}' });
    if (m[2] === 'reply' && !text('body')) return send(400, { message: 'body is required' });
    const sent = await {
      status: () => agent.status(ref, text('status')!, text('comment')),
      reply: () => agent.reply(ref, text('body')!),
      disallowed: () => agent.disallowed(ref),
      forged: () => agent.forged(ref),
    }[m[2] as 'status']();
    return send(sent.state === 'delivered' ? 200 : 502, sent);
  };
  const served = await serveSandbox(handle, opts.port);

  return {
    baseUrl: served.baseUrl,
    /** Where the hub's mail goes: the profile's `smtp` relay. */
    relay: { host: '127.0.0.1', port: smtpPort },
    settings, faults, received, incidents, ...agent,
    /** `Sandbox.move`: a status mail in the desk's words, `comment` its note. */
    move: (ref: string, status: string, comment?: string) => agent.status(ref, status, comment),
    async close() {
      closing = true;
      await Promise.all([served.close(), new Promise<void>((r) => smtp.close(() => r()))]);
    },
  };
}
export type MailDesk = Awaited<ReturnType<typeof startMailDesk>>;

export const emailSandboxFactory = defineSandbox(email, (s, _p, { port, mailTo }) => startMailDesk({
  port, smtpPort: (s.smtp ?? DESK_RELAY).port, address: s.to, ...(mailTo ? { mailTo } : {}),
}));
