/**
 * The local runtime's `MailTransport` (core/ports.ts): sends the e-mail connector's mail to an SMTP relay on
 * this machine with nodemailer, which builds its MIME (local/mail-mime.ts). The relay is the profile's
 * `smtp` setting, else `defaultRelay` (the sandbox mail desk). In AWS, SES sends instead
 * (functions/adapters/ses-mail.ts).
 *
 * Loopback only, in clear text and without authentication: the message never leaves this machine, so there
 * is nothing for TLS to protect and no peer to authenticate, and the sandbox desk offers neither. A relay
 * elsewhere would carry the partner's mail across a network in clear, so it is refused as a configuration
 * error rather than tried.
 */
import { isIP } from 'node:net';
import { createTransport } from 'nodemailer';
import { ConfigError, PartnerCallError } from '../core/errors';
import type { MailTransport } from '../core/ports';
import { nodemailerMessage } from './mail-mime';

export interface SmtpRelay { host: string; port: number }

/** Connecting, the greeting and each later wait on the relay each end by this (nodemailer's defaults are minutes). */
const SMTP_TIMEOUT_MS = 10_000;

const isLoopback = (host: string) =>
  host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));

function loopbackOnly(relay: SmtpRelay): SmtpRelay {
  if (!isLoopback(relay.host)) {
    throw new ConfigError(`smtp relay ${relay.host}:${relay.port} is not on this machine: the local runtime sends plain SMTP to a loopback relay only (in AWS, mail goes through SES)`);
  }
  return relay;
}

/** nodemailer's failure as the hub's: an SMTP 4xx or no answer at all is transient (retried), a 5xx final. */
function callError(relay: SmtpRelay, err: unknown): PartnerCallError {
  const { responseCode, code, message } = err as { responseCode?: number; code?: string; message?: string };
  const transient = responseCode === undefined || responseCode < 500;
  const answer = responseCode === undefined ? code ?? 'no answer' : `SMTP ${responseCode}`;
  return new PartnerCallError(`smtp relay ${relay.host}:${relay.port}: ${answer}: ${message ?? String(err)}`, transient);
}

export function smtpMailTransport(defaultRelay: SmtpRelay): MailTransport {
  loopbackOnly(defaultRelay);
  return {
    async send(mail) {
      const target = loopbackOnly(mail.relay ?? defaultRelay);
      // one connection per message, as nodemailer's unpooled transport does: a relay restarted between two mails costs nothing
      const transport = createTransport({
        host: target.host, port: target.port, secure: false, ignoreTLS: true,
        connectionTimeout: SMTP_TIMEOUT_MS, greetingTimeout: SMTP_TIMEOUT_MS, socketTimeout: SMTP_TIMEOUT_MS,
      });
      try {
        await transport.sendMail(nodemailerMessage(mail));
      } catch (err) {
        throw callError(target, err);
      } finally {
        transport.close();
      }
    },
  };
}
