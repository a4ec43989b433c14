/**
 * The email connector's SES transport (functions/adapters/ses-mail.ts) with the real SESv2 client against a
 * stand-in on 127.0.0.1 (AWS_ENDPOINT_URL): what SES is asked to send. SES builds the MIME from these
 * fields, so the threading headers must be in `Content.Simple.Headers`, bracketed, and Message-ID and Date
 * are left to SES (it overwrites both). A refusal from SES is an error, never a quiet success.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OutgoingMail } from '../../core/ports';
import { sesMailTransport } from '../../functions/adapters/ses-mail';

let server: Server;
const requests: { path: string; body: Record<string, unknown> }[] = [];
let refuse = false;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => { body += c.toString('utf8'); });
    req.on('end', () => {
      requests.push({ path: req.url ?? '', body: JSON.parse(body || '{}') as Record<string, unknown> });
      if (refuse) {
        res.writeHead(400, { 'content-type': 'application/json', 'x-amzn-errortype': 'MessageRejected' });
        res.end(JSON.stringify({ message: 'Email address is not verified.' }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ MessageId: 'ses-1' }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
});
afterAll(() => new Promise((r) => server.close(r)));

async function send(mail: OutgoingMail) {
  const saved = { ...process.env };
  Object.assign(process.env, { AWS_ENDPOINT_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'x' });
  try { await sesMailTransport().send(mail); } finally { process.env = saved; }
}

const comment: OutgoingMail = {
  from: 'escalations@vendor.example', to: ['support@microsoft.com'], replyTo: 'microsoft@escalations-in.vendor.example',
  subject: 'Re: [hub:esc_1] Update — Grüße', text: 'Customer confirms the drop.', html: '<p>Customer confirms the drop.</p>',
  messageId: 'hub=3Aesc_1.c-0123@vendor.example', inReplyTo: 'hub=3Aesc_1.open@vendor.example',
  references: ['hub=3Aesc_1.thread@vendor.example', 'hub=3Aesc_1.open@vendor.example'], date: new Date('2026-12-07T09:00:00Z'),
  relay: { host: '127.0.0.1', port: 2525 },
};

it('asks SES to send the fields as a simple mail, UTF-8, with the thread headers bracketed and no Message-ID or Date', async () => {
  await send(comment);
  expect(requests.at(-1)).toEqual({
    path: '/v2/email/outbound-emails',
    body: {
      FromEmailAddress: 'escalations@vendor.example',
      Destination: { ToAddresses: ['support@microsoft.com'] },
      ReplyToAddresses: ['microsoft@escalations-in.vendor.example'],
      Content: {
        Simple: {
          Subject: { Data: 'Re: [hub:esc_1] Update — Grüße', Charset: 'UTF-8' },
          Body: { Text: { Data: 'Customer confirms the drop.', Charset: 'UTF-8' }, Html: { Data: '<p>Customer confirms the drop.</p>', Charset: 'UTF-8' } },
          Headers: [
            { Name: 'In-Reply-To', Value: '<hub=3Aesc_1.open@vendor.example>' },
            { Name: 'References', Value: '<hub=3Aesc_1.thread@vendor.example> <hub=3Aesc_1.open@vendor.example>' },
          ],
        },
      },
    },
  });
});

it('an opening mail (no reply-to, no parent) carries only its References', async () => {
  await send({ ...comment, replyTo: undefined, inReplyTo: undefined, references: ['hub=3Aesc_1.thread@vendor.example'] });
  const body = requests.at(-1)!.body as { ReplyToAddresses?: unknown; Content: { Simple: { Headers: unknown } } };
  expect(body.ReplyToAddresses).toBeUndefined();
  expect(body.Content.Simple.Headers).toEqual([{ Name: 'References', Value: '<hub=3Aesc_1.thread@vendor.example>' }]);
});

it('fails when SES refuses the mail', async () => {
  refuse = true;
  try {
    // a 4xx is final (the worker refers rather than retrying a mail SES will never send); the status is kept
    await expect(send(comment)).rejects.toMatchObject({ name: 'PartnerCallError', transient: false, httpStatus: 400, message: 'SES MessageRejected: Email address is not verified.' });
  } finally { refuse = false; }
});
