/**
 * Partner mail that SES received (the `email` connector's inbound path in AWS). The stack's receipt rule
 * stores each mail in the mail bucket, then invokes this function asynchronously with SES's notification:
 * the message id and the SPF, DKIM, spam and virus verdicts, not the content
 * (https://docs.aws.amazon.com/ses/latest/dg/receiving-email-notifications-contents.html).
 * For each record: read the stored mail, parse its MIME (connectors/email/parse.ts), and ingest it with the
 * verdicts (core/use-cases/ingest-partner-mail.ts: matched to its escalation, checked against the sender
 * allow-list and the verdicts, recorded and enqueued to inbound like a webhook, or recorded and dropped).
 * A failure throws: Lambda retries the event twice (ingesting is idempotent by message id) and the
 * function's error alarm fires; the mail stays in the bucket.
 */
import * as z from 'zod';
import type { HubDeps } from '../core/deps';
import { ValidationError } from '../core/errors';
import { logHandling } from '../core/log';
import { ingestPartnerMail, type MailOutcome } from '../core/use-cases/ingest-partner-mail';
import { parsePartnerMail } from '../connectors/email/parse';
import { buildPartnerWebhookRegistry } from '../connectors/partner-webhook-registry';
import { hubDeps } from './adapters/hub-deps';
import { withLambdaContext } from './adapters/logger';
import { s3StoredMail, type ReadStoredMail } from './adapters/s3-mail';
import { sqsWorkQueue } from './adapters/sqs-queue';

const Verdict = z.object({ status: z.string().min(1) });
/** What the hub reads of an SES receipt notification (the rest, headers included, it reads from the stored mail). */
export const SesReceiptEvent = z.object({
  Records: z.array(z.object({
    eventSource: z.literal('aws:ses'),
    ses: z.object({
      // an object key under the mail prefix: no separators, nothing that could name another key
      mail: z.object({ messageId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'an SES message id') }),
      receipt: z.object({ spfVerdict: Verdict, dkimVerdict: Verdict, spamVerdict: Verdict, virusVerdict: Verdict }),
    }),
  })).min(1),
});

export function makeMailInboundHandler(deps: HubDeps, readStored: ReadStoredMail) {
  return async (event: unknown): Promise<MailOutcome[]> => {
    const parsed = SesReceiptEvent.safeParse(event);
    if (!parsed.success) throw new ValidationError(`not an SES receipt event: ${parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    const outcomes: MailOutcome[] = [];
    for (const { ses: { mail, receipt } } of parsed.data.Records) {
      // ingestPartnerMail logs what it did with the mail (taken in, or dropped and why)
      outcomes.push(await logHandling({ sesMessageId: mail.messageId }, async () => {
        const { raw, storedAt } = await readStored(mail.messageId);
        const verdicts = { spf: receipt.spfVerdict.status, dkim: receipt.dkimVerdict.status, spam: receipt.spamVerdict.status, virus: receipt.virusVerdict.status };
        return ingestPartnerMail(deps, await parsePartnerMail(raw), { verdicts, storedAt });
      }));
    }
    return outcomes;
  };
}

let wired: ReturnType<typeof makeMailInboundHandler> | undefined;
// the email connector's mail reader is an inbound half: the webhook registry's set (the partners' halves;
// the desks' settings only checked), no partner HTTP client
export const handler = withLambdaContext(async (event: unknown) => (wired ??= makeMailInboundHandler(await hubDeps('mail-inbound', { connectors: buildPartnerWebhookRegistry, queue: sqsWorkQueue }), s3StoredMail()))(event));
