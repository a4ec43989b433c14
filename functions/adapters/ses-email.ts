/**
 * Amazon SES (v2): the one client of the functions that send mail, the notifier's e-mail subscribers
 * (`sesEmailSender`, here) and the email connector's partner mail (ses-mail.ts). The SDK package is loaded
 * on the first send, so a function that could send but never does (the partner worker when no partner
 * takes e-mail) does not pay for loading it at cold start. The sender must be a verified SES identity.
 */
import type { SendEmailCommandInput, SESv2Client } from '@aws-sdk/client-sesv2';
import type { EmailSender } from '../../connectors/notify/channels';

let client: SESv2Client | undefined;
/** SESv2 SendEmail with the container's one client. */
export async function sesSend(input: SendEmailCommandInput): Promise<void> {
  const { SESv2Client, SendEmailCommand } = await import('@aws-sdk/client-sesv2');
  await (client ??= new SESv2Client({})).send(new SendEmailCommand(input));
}

export function sesEmailSender(): EmailSender {
  return {
    async send(email) {
      await sesSend({
        FromEmailAddress: email.from,
        Destination: { ToAddresses: email.to },
        Content: { Simple: { Subject: { Data: email.subject }, Body: { Text: { Data: email.text } } } },
      });
    },
  };
}
