/**
 * The local runtime's mail edges over real sockets: the inbound SMTP listener (stored before it is handed
 * on, answered by the outcome) with nodemailer as the sending client, and the SMTP transport sending
 * composed mail to it.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { createTransport } from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
import { silentLog } from '../../core/deps';
import { ConfigError, PartnerCallError } from '../../core/errors';
import type { OutgoingMail } from '../../core/ports';
import { MailRefusedError, startSmtpListener, type SmtpListener } from '../../local/smtp-listener';
import { smtpMailTransport } from '../../local/smtp-transport';

const compose = async (over: Record<string, unknown> = {}) => new MailComposer({
  from: 'support@partner.example', to: 'hub@vendor.example', subject: 'Re: [hub:esc_1] Calls drop TrackingID#4711',
  text: 'We are on it.', messageId: '<ack-1@partner.example>', ...over,
}).compile().build();

/** Sends `raw` as a partner's mail server would; answers the SMTP reply code (250 on success). */
async function deliver(port: number, raw: Buffer): Promise<number> {
  const client = createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
  try {
    const info = await client.sendMail({ envelope: { from: 'support@partner.example', to: ['hub@vendor.example'] }, raw });
    return Number(info.response.slice(0, 3));
  } catch (err) {
    return (err as { responseCode?: number }).responseCode ?? -1;
  } finally {
    client.close();
  }
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('the local SMTP listener', () => {
  let dataDir: string;
  let listener: SmtpListener | undefined;
  let handed: { raw: Uint8Array; storedAt: string }[];
  /** What the hub does with the next mails: nothing (taken), or throw. */
  let outcome: () => void;
  const start = async (maxBytes?: number) => {
    listener = await startSmtpListener({
      port: 0, dataDir, log: silentLog, ...(maxBytes ? { maxBytes } : {}),
      onMail: async (raw, storedAt) => { handed.push({ raw, storedAt }); outcome(); },
    });
    return listener;
  };
  beforeEach(() => { dataDir = mkdtempSync(join(tmpdir(), 'hub-smtp-')); handed = []; outcome = () => undefined; });
  afterEach(async () => { await listener?.close(); listener = undefined; });

  it('listens on an ephemeral loopback port, stores the mail as <sha256>.eml (private) before handing it on, then answers 250', async () => {
    const l = await start();
    expect(l.port).toBeGreaterThan(0);
    expect(l.url).toBe(`smtp://127.0.0.1:${l.port}`);
    let storedWhenHanded = false;
    outcome = () => { storedWhenHanded = readFileSync(handed[0]!.storedAt).length > 0; };
    const raw = await compose();
    expect(await deliver(l.port, raw)).toBe(250);
    expect(handed).toHaveLength(1);
    const { raw: got, storedAt } = handed[0]!;
    expect(Buffer.from(got).toString()).toContain('TrackingID#4711');
    expect(storedAt).toBe(join(dataDir, 'mail', `${sha256(got)}.eml`));
    expect(storedWhenHanded).toBe(true);
    expect(readFileSync(storedAt).equals(Buffer.from(got))).toBe(true);
    expect(statSync(storedAt).mode & 0o777).toBe(0o600);
    expect(statSync(join(dataDir, 'mail')).mode & 0o777).toBe(0o700);
  });

  it('answers 451 when the hub fails, keeping the stored mail, and takes it when the sender tries again', async () => {
    const l = await start();
    outcome = () => { throw new Error('store unavailable'); };
    const raw = await compose({ messageId: '<retry-1@partner.example>' });
    expect(await deliver(l.port, raw)).toBe(451);
    expect(readdirSync(join(dataDir, 'mail'))).toHaveLength(1);
    outcome = () => undefined;
    expect(await deliver(l.port, raw)).toBe(250);
    expect(handed.map((h) => h.storedAt)).toEqual([handed[0]!.storedAt, handed[0]!.storedAt]);
    expect(readdirSync(join(dataDir, 'mail'))).toHaveLength(1);
  });

  it('answers 554 for a mail refused for good', async () => {
    const l = await start();
    outcome = () => { throw new MailRefusedError('no From address'); };
    expect(await deliver(l.port, await compose())).toBe(554);
  });

  it('answers 552 for a mail over the size limit, storing nothing and handing nothing on', async () => {
    const l = await start(64 * 1024);
    const raw = await compose({ attachments: [{ filename: 'trace.bin', content: Buffer.alloc(100 * 1024, 7) }] });
    expect(await deliver(l.port, raw)).toBe(552);
    expect(handed).toHaveLength(0);
    expect(() => readdirSync(join(dataDir, 'mail'))).toThrow();
    expect(await deliver(l.port, await compose())).toBe(250);
  });

  it('takes a 5 MB attachment-laden mail whole', async () => {
    const l = await start();
    const attachment = Buffer.alloc(5 * 1024 * 1024, 1);
    const raw = await compose({ attachments: [{ filename: 'logs.zip', content: attachment }] });
    expect(raw.length).toBeGreaterThan(6.5 * 1024 * 1024);
    expect(await deliver(l.port, raw)).toBe(250);
    expect(sha256(readFileSync(handed[0]!.storedAt))).toBe(sha256(raw));
  });
});

describe('the SMTP mail transport', () => {
  let listener: SmtpListener;
  const received: string[] = [];
  let outcome: () => void = () => undefined;
  beforeAll(async () => {
    listener = await startSmtpListener({
      port: 0, dataDir: mkdtempSync(join(tmpdir(), 'hub-smtp-')), log: silentLog,
      onMail: async (raw) => { received.push(Buffer.from(raw).toString()); outcome(); },
    });
  });
  afterAll(() => listener.close());
  beforeEach(() => { received.length = 0; outcome = () => undefined; });
  const message = (relay?: { host: string; port: number }): OutgoingMail => ({
    from: 'hub@vendor.example', to: ['support@partner.example'], replyTo: 'replies@vendor.example', subject: '[hub:esc_2] Calls drop',
    text: 'Findings', html: '<p>Findings</p>', messageId: 'hub-2.c-1@vendor.example', inReplyTo: 'hub-2.open@vendor.example',
    references: ['hub-2.open@vendor.example'], date: new Date(), relay,
  });

  it('sends the mail as MIME, threaded, to the profile\'s relay over the default', async () => {
    await smtpMailTransport({ host: '127.0.0.1', port: 1 }).send(message({ host: '127.0.0.1', port: listener.port }));
    expect(received).toHaveLength(1);
    const mail = await simpleParser(received[0]!);
    expect(mail).toMatchObject({
      messageId: '<hub-2.c-1@vendor.example>', inReplyTo: '<hub-2.open@vendor.example>', references: '<hub-2.open@vendor.example>',
      subject: '[hub:esc_2] Calls drop', text: 'Findings', html: '<p>Findings</p>',
    });
    expect(mail.replyTo?.text).toBe('replies@vendor.example');
  });

  it('sends to the default relay when the profile names none', async () => {
    await smtpMailTransport({ host: 'localhost', port: listener.port }).send(message());
    expect(received).toHaveLength(1);
  });

  it('fails transiently on a 4xx answer or no answer, and for good on a 5xx', async () => {
    const transport = smtpMailTransport({ host: '127.0.0.1', port: listener.port });
    outcome = () => { throw new Error('busy'); };
    await expect(transport.send(message())).rejects.toMatchObject({ name: 'PartnerCallError', transient: true, message: expect.stringContaining('SMTP 451') });
    outcome = () => { throw new MailRefusedError('never'); };
    await expect(transport.send(message())).rejects.toMatchObject({ transient: false, message: expect.stringContaining('SMTP 554') });
    const closed = await startSmtpListener({ port: 0, dataDir: 'memory', log: silentLog, onMail: async () => undefined });
    await closed.close();
    const err = await transport.send(message({ host: '127.0.0.1', port: closed.port })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PartnerCallError);
    expect(err).toMatchObject({ transient: true });
  });

  it('refuses a relay off this machine: mail is sent in clear, so only over loopback', async () => {
    expect(() => smtpMailTransport({ host: 'smtp.example.com', port: 25 })).toThrow(ConfigError);
    await expect(smtpMailTransport({ host: '127.0.0.1', port: listener.port }).send(message({ host: '10.0.0.5', port: 25 })))
      .rejects.toThrow(/not on this machine/);
    expect(received).toHaveLength(0);
  });
});
