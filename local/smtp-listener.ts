/**
 * The local runtime's inbound mail: an SMTP listener on loopback (`HUB_SMTP_PORT`, default 2525), the
 * stand-in for SES receiving. As SES stores a mail in S3 before it invokes the hub, each mail is first
 * written to `<dataDir>/mail/<sha256>.eml` (fsynced, renamed into place: a crash leaves it whole or absent),
 * then handed to `onMail` with where it is kept. The SMTP answer follows the outcome, so a mail is never
 * acknowledged and then lost: `250` only once `onMail` succeeded; `554` when it throws MailRefusedError (the
 * mail can never be taken: the sender bounces it); `451` for any other failure (the sender keeps it and
 * tries again later). A mail the hub records and drops (an unknown sender, a forged thread) is a success:
 * retrying it would change nothing.
 *
 * Plain SMTP without authentication, as the sandbox desk and a relay on this machine speak it: the listener
 * binds 127.0.0.1 only, so nothing off this machine can reach it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, rename, stat, unlink } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SMTPServer, type SMTPServerDataStream } from 'smtp-server';
import type { Log } from '../core/deps';
import { PendingWork } from './pending-work';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from './data-dir';

/**
 * The largest mail taken: SES's own limit for a mail stored in S3 by a receipt rule (40 MB with headers),
 * so that a mail the AWS path accepts is accepted here too (the 5 MB attachment-laden mail is about
 * 7 MB once base64-encoded). Larger mail is answered `552` while it streams in, before anything is stored.
 */
export const MAX_MAIL_BYTES = 40 * 1024 * 1024;

/** A mail that can never be taken (unreadable, or refused by the hub for good): answered `554`, not retried. */
export class MailRefusedError extends Error {
  override name = 'MailRefusedError';
}

export interface SmtpListenerOptions {
  /** 0: any free port (tests); the bound one is `SmtpListener.port`. */
  port: number;
  /** Where mail is kept: `<dataDir>/mail`; with `memory`, a directory in the system's temporary directory. */
  dataDir: string;
  /** Takes one stored mail; resolves once the hub holds it (applied, or recorded and dropped). */
  onMail(raw: Uint8Array, storedAt: string): Promise<void>;
  log: Log;
  maxBytes?: number;
}

export interface SmtpListener {
  port: number;
  /** `smtp://127.0.0.1:<port>`: where a sandbox or a local relay delivers the hub's mail. */
  url: string;
  /** Stops taking connections and waits for the mails being handled. */
  close(): Promise<void>;
}

/** `.hub/data` → `.hub/data/mail`; with `memory`, a directory of this process in the system's temporary directory. */
export const mailDirOf = (dataDir: string) => (dataDir === 'memory' ? join(tmpdir(), `hub-mail-${process.pid}`) : join(dataDir, 'mail'));

/** Writes `raw` to `<dir>/<sha256>.eml` unless that mail is there already (the same bytes sent again); answers its path. */
export async function storeMail(dir: string, raw: Uint8Array): Promise<string> {
  await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  const path = resolve(dir, `${createHash('sha256').update(raw).digest('hex')}.eml`);
  if (await stat(path).then(() => true, () => false)) return path;
  const partial = `${path}.${randomBytes(6).toString('hex')}.partial`;
  const file = await open(partial, 'wx', PRIVATE_FILE_MODE);
  try {
    await file.writeFile(raw);
    await file.sync();
  } catch (err) {
    await file.close();
    await unlink(partial).catch(() => undefined);
    throw err;
  }
  await file.close();
  await rename(partial, path);
  return path;
}

const smtpError = (responseCode: number, message: string) => Object.assign(new Error(message), { responseCode });

/** The whole mail; once it is over the size limit the rest is read and let go (the answer is 552 whatever follows). */
async function readAll(stream: SMTPServerDataStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) if (!stream.sizeExceeded) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startSmtpListener(opts: SmtpListenerOptions): Promise<SmtpListener> {
  const { log } = opts;
  const dir = mailDirOf(opts.dataDir);
  const handling = new PendingWork();

  async function take(stream: SMTPServerDataStream): Promise<void> {
    const raw = await readAll(stream);
    // rejectOversized answers 552 itself: nothing of an oversized mail is stored
    if (stream.sizeExceeded) return;
    let storedAt: string;
    try {
      storedAt = await storeMail(dir, raw);
    } catch (err) {
      log.error('inbound mail not stored', { bytes: raw.length, error: String(err) });
      throw smtpError(451, 'Requested action aborted: the mail could not be stored, try again later');
    }
    try {
      await opts.onMail(raw, storedAt);
    } catch (err) {
      if (err instanceof MailRefusedError) {
        log.warn('inbound mail refused', { storedAt, reason: err.message });
        throw smtpError(554, `Transaction failed: ${err.message}`);
      }
      log.error('inbound mail not taken', { storedAt, error: String(err) });
      throw smtpError(451, 'Requested action aborted: local error in processing, try again later');
    }
  }

  const server = new SMTPServer({
    name: 'hub.local',
    banner: 'partner escalation hub',
    size: opts.maxBytes ?? MAX_MAIL_BYTES,
    rejectOversized: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    disableReverseLookup: true,
    logger: false,
    // let mails already in `take` finish (close() waits for them), not a client that idles
    closeTimeout: 1000,
    onData(stream, _session, callback) {
      handling.track(take(stream)).then(() => callback(), (err: Error) => callback(err));
    },
  });
  server.on('error', (err) => log.warn('smtp connection failed', { error: String(err) }));

  await new Promise<void>((done, fail) => {
    server.server.once('error', fail);
    server.listen(opts.port, '127.0.0.1', () => { server.server.off('error', fail); done(); });
  });
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    async close() {
      const closed = new Promise<void>((r) => server.close(() => r()));
      await handling.settled();
      await closed;
    },
  };
}
