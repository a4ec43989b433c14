/**
 * Partner mail in AWS (the `email` connector, API.md "Partner channels beyond ticketing APIs"): what the
 * stack reads of the e-mail partners' settings, and the SES receipt rule that stores their replies in the
 * mail bucket and then invokes the mail-inbound function.
 *
 * A receipt rule set does nothing until it is the account's active one in its region, and activating it is
 * an account-wide switch that CloudFormation does not model: `aws ses set-active-receipt-rule-set
 * --rule-set-name <MailReceiptRuleSet output>` after the deploy (docs/deploy.md).
 */
import { Aws, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as ses from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';
import * as z from 'zod';
import type { HubConfig } from '../core/config';

/** The prefix SES stores received mail under: each object is `<prefix><SES message id>`. */
export const MAIL_PREFIX = 'inbound/';

/** What the stack needs of an e-mail partner: the hub's sending identity, and the address its replies come to. */
export interface PartnerMailAddresses {
  partnerId: string;
  /** `from`: a verified SES identity (the address, or its domain). */
  from: string;
  /** `replyTo`, else `from`: where the partner's replies arrive, so where SES must receive. */
  receivesAt: string;
}

const MailSettings = z.looseObject({ from: z.email(), replyTo: z.email().optional() });

/** The e-mail partners' addresses (`partnerIds`, the topology's `mail.partners`); a missing or malformed one fails the synth, naming the partner. */
export function partnerMailAddresses(config: HubConfig, partnerIds: readonly string[]): PartnerMailAddresses[] {
  return partnerIds.map((id) => {
    const parsed = MailSettings.safeParse(config.partners.find((p) => p.id === id));
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new Error(`partner ${id}: ${issue.path.join('.') || 'settings'}: ${issue.message} (the email connector sends from \`from\`, a verified SES identity, and receives replies at \`replyTo\`: plain addresses)`);
    }
    return { partnerId: id, from: parsed.data.from.toLowerCase(), receivesAt: (parsed.data.replyTo ?? parsed.data.from).toLowerCase() };
  });
}

/** The SES identities an address may be sent from: the address itself, or the domain it belongs to, whichever is verified. */
export const sendingIdentities = (addresses: readonly PartnerMailAddresses[]): string[] =>
  [...new Set(addresses.flatMap((a) => [a.from, a.from.slice(a.from.lastIndexOf('@') + 1)]))].sort();

export interface HubMailReceivingProps {
  bucket: s3.IBucket;
  /** The function SES invokes (asynchronously) once a mail is stored. */
  fn: lambda.IFunction;
  /** The addresses SES accepts mail for (the e-mail partners' `replyTo`). */
  recipients: readonly string[];
}

/**
 * A receipt rule set with one rule: for the partners' reply addresses, scan (spam and virus verdicts),
 * require TLS, store the mail under MAIL_PREFIX, then invoke the function with the SES event. SES may write
 * to the bucket and invoke the function only for this rule (`aws:SourceArn`) in this account
 * (`aws:SourceAccount`); the CDK's own S3 and Lambda actions condition on the account only, hence these two.
 */
export class HubMailReceiving extends Construct {
  /** The rule set's name: the stack's name and `-partner-mail` (operators activate it by name). */
  readonly ruleSetName: string;
  readonly ruleSet: ses.ReceiptRuleSet;
  readonly rule: ses.ReceiptRule;

  constructor(scope: Construct, id: string, props: HubMailReceivingProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.ruleSetName = `${stack.stackName}-partner-mail`;
    const ruleName = 'partner-replies';
    const ruleArn = stack.formatArn({ service: 'ses', resource: 'receipt-rule-set', resourceName: `${this.ruleSetName}:receipt-rule/${ruleName}` });
    const sesPrincipal = new iam.ServicePrincipal('ses.amazonaws.com');

    const put = props.bucket.addToResourcePolicy(new iam.PolicyStatement({
      actions: ['s3:PutObject'], principals: [sesPrincipal], resources: [props.bucket.arnForObjects(`${MAIL_PREFIX}*`)],
      conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID, 'aws:SourceArn': ruleArn } },
    }));
    props.fn.addPermission('InvokedBySesReceipt', { principal: sesPrincipal, sourceAccount: Aws.ACCOUNT_ID, sourceArn: ruleArn });

    this.ruleSet = new ses.ReceiptRuleSet(this, 'RuleSet', { receiptRuleSetName: this.ruleSetName });
    this.rule = this.ruleSet.addRule('PartnerReplies', {
      receiptRuleName: ruleName,
      recipients: [...props.recipients],
      scanEnabled: true,
      tlsPolicy: ses.TlsPolicy.REQUIRE,
      actions: [
        { bind: () => ({ s3Action: { bucketName: props.bucket.bucketName, objectKeyPrefix: MAIL_PREFIX } }) },
        { bind: () => ({ lambdaAction: { functionArn: props.fn.functionArn, invocationType: 'Event' } }) },
      ],
    });
    // SES checks both permissions when the rule is created
    if (put.policyDependable) this.rule.node.addDependency(put.policyDependable);
    this.rule.node.addDependency(props.fn.permissionsNode.findChild('InvokedBySesReceipt'));
  }
}
