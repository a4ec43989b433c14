/**
 * Notification channels: signed Standard Webhooks (the CRM), a Microsoft Teams channel message through an
 * incoming webhook / Workflows URL (Adaptive Card), and e-mail through an `EmailSender` (SES in AWS, an
 * outbox file locally). Failures throw; the notifier's queue retries and dead-letters.
 */
import axios from 'axios';
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Log } from '../../core/deps';
import type { Notification, NotificationChannel, Subscriber } from '../../core/notifications';
import { signStandardWebhook } from '../standard-webhooks';

export interface Email { to: string[]; from: string; subject: string; text: string }
export interface EmailSender { send(email: Email): Promise<void> }

const http = axios.create({ timeout: 10_000, maxRedirects: 0, proxy: false, validateStatus: () => true });

async function post(url: string, body: string, headers: Record<string, string>) {
  const res = await http.post(url, body, { headers: { 'content-type': 'application/json', ...headers }, transformRequest: [(d: string) => d] });
  if (res.status < 200 || res.status >= 300) throw new Error(`subscriber answered HTTP ${res.status}`);
}

/** The CRM/portal webhook: the notification as JSON, signed with Standard Webhooks over the exact bytes sent. */
export async function deliverWebhook(s: Extract<Subscriber, { kind: 'webhook' }>, n: Notification, now = new Date()) {
  const body = JSON.stringify({ type: n.type, timestamp: n.occurredAt, data: n.data });
  const ts = Math.floor(now.getTime() / 1000);
  await post(s.url, body, { 'webhook-id': n.id, 'webhook-timestamp': String(ts), 'webhook-signature': signStandardWebhook(s.secret, n.id, ts, body) });
}

/** A Teams channel message: an Adaptive Card posted to the channel's incoming webhook (Workflows) URL. */
export async function deliverTeams(s: Extract<Subscriber, { kind: 'teams' }>, n: Notification) {
  const card = {
    type: 'message',
    attachments: [{
      contentType: 'application/vnd.microsoft.card.adaptive',
      content: {
        $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', type: 'AdaptiveCard', version: '1.4',
        body: [
          { type: 'TextBlock', text: n.title, weight: 'Bolder', size: 'Medium', wrap: true },
          { type: 'TextBlock', text: n.text, wrap: true },
        ],
      },
    }],
  };
  await post(s.url, JSON.stringify(card), {});
}

/** Local e-mail: one JSON line per message in an outbox file, and a log line (no addresses in it). */
export function outboxEmailSender(path: string, log: Log): EmailSender {
  return {
    async send(email) {
      await mkdir(dirname(path), { recursive: true });
      await appendFile(path, JSON.stringify({ ...email, at: new Date().toISOString() }) + '\n');
      log.info('e-mail written to the local outbox', { outbox: path, subject: email.subject, recipients: email.to.length });
    },
  };
}

export function notificationChannel(email: EmailSender): NotificationChannel {
  return {
    async deliver(s, n) {
      switch (s.kind) {
        case 'webhook': return deliverWebhook(s, n);
        case 'teams': return deliverTeams(s, n);
        case 'email': return email.send({ to: s.to, from: s.from, subject: n.title, text: n.text });
      }
    },
  };
}
