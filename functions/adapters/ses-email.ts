/** EmailSender on Amazon SES (v2). The sender address must be verified in SES. */
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import type { EmailSender } from '../../connectors/notify/channels';

let client: SESv2Client | undefined;
export function sesEmailSender(): EmailSender {
  return {
    async send(email) {
      client ??= new SESv2Client({});
      await client.send(new SendEmailCommand({
        FromEmailAddress: email.from,
        Destination: { ToAddresses: email.to },
        Content: { Simple: { Subject: { Data: email.subject }, Body: { Text: { Data: email.text } } } },
      }));
    },
  };
}
