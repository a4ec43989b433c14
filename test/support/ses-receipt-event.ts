/**
 * The event SES hands a receipt rule's Lambda action, in the exact documented shape: the example of
 * https://docs.aws.amazon.com/ses/latest/dg/receiving-email-action-lambda-event.html ("Event records provided
 * by the Lambda action"), fields as https://docs.aws.amazon.com/ses/latest/dg/receiving-email-notifications-contents.html
 * describes them. The mail's content is not in it (the S3 action stored that); `sesReceiptEvent` changes
 * only what a test names: the message id, recipients, the verdicts and the function.
 */
import type { MailVerdicts } from '../../core/ports';

/** The documented example, as published (one header list shortened: only its From, To, Subject and ids matter here). */
export const DOCUMENTED_SES_EVENT = {
  Records: [{
    eventSource: 'aws:ses',
    eventVersion: '1.0',
    ses: {
      mail: {
        timestamp: '2019-08-05T21:30:02.028Z',
        source: 'prvs=144d0cba7=sender@example.com',
        messageId: 'EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000',
        destination: ['recipient@example.com'],
        headersTruncated: false,
        headers: [
          { name: 'Return-Path', value: '<prvs=144d0cba7=sender@example.com>' },
          { name: 'X-SES-Spam-Verdict', value: 'PASS' },
          { name: 'X-SES-Virus-Verdict', value: 'PASS' },
          { name: 'From', value: '"Doe, John" <sender@example.com>' },
          { name: 'To', value: '"recipient@example.com" <recipient@example.com>' },
          { name: 'Subject', value: 'This is a test' },
          { name: 'Date', value: 'Mon, 5 Aug 2019 21:29:57 +0000' },
          { name: 'Message-ID', value: '<F8098FDD-49A3-442D-9935-F6112example@example.com>' },
          { name: 'References', value: '<1FCED16B-F6B0-4506-A6F0-594DFexample@example.com>' },
          { name: 'In-Reply-To', value: '<1FCED16B-F6B0-4506-A6F0-594DFexample@example.com>' },
          { name: 'MIME-Version', value: '1.0' },
        ],
        commonHeaders: {
          returnPath: 'prvs=144d0cba7=sender@example.com',
          from: ['"Doe, John" <sender@example.com>'],
          date: 'Mon, 5 Aug 2019 21:29:57 +0000',
          to: ['"recipient@example.com" <recipient@example.com>'],
          messageId: '<F8098FDD-49A3-442D-9935-F6112B195BDA@example.com>',
          subject: 'This is a test',
        },
      },
      receipt: {
        timestamp: '2019-08-05T21:30:02.028Z',
        processingTimeMillis: 1205,
        recipients: ['recipient@example.com'],
        spamVerdict: { status: 'PASS' },
        virusVerdict: { status: 'PASS' },
        spfVerdict: { status: 'PASS' },
        dkimVerdict: { status: 'PASS' },
        dmarcVerdict: { status: 'GRAY' },
        action: { type: 'Lambda', functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:IncomingEmail', invocationType: 'Event' },
      },
    },
  }],
};

export interface SesEventOptions {
  messageId?: string;
  recipients?: string[];
  verdicts?: Partial<MailVerdicts>;
  functionArn?: string;
}

/** The documented event for one mail, with what the options name in place of the example's values. */
export function sesReceiptEvent(o: SesEventOptions = {}): typeof DOCUMENTED_SES_EVENT {
  const event = structuredClone(DOCUMENTED_SES_EVENT);
  const { mail, receipt } = event.Records[0]!.ses;
  if (o.messageId) mail.messageId = o.messageId;
  if (o.recipients) { mail.destination = o.recipients; receipt.recipients = o.recipients; }
  const v = o.verdicts ?? {};
  if (v.spf) receipt.spfVerdict.status = v.spf;
  if (v.dkim) receipt.dkimVerdict.status = v.dkim;
  if (v.spam) receipt.spamVerdict.status = v.spam;
  if (v.virus) receipt.virusVerdict.status = v.virus;
  if (o.functionArn) receipt.action.functionArn = o.functionArn;
  return event;
}
