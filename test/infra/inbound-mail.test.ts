/**
 * Partner mail in the stack (infra/hub-mail.ts): with a partner on the `email` connector, a private mail
 * bucket, an SES receipt rule that stores the partner's replies there and invokes mail-inbound, each
 * permission bound to that rule, and SES send grants on exactly the partners' sending identities; without
 * one, none of it.
 */
import { CfnElement, Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAIL_PREFIX } from '../../infra/hub-mail';
import { MAIL_RETENTION_DAYS } from '../../infra/hub-state';
import { AWS_CONFIG_FILE, synthHub, type SynthesizedHub } from './hub-stack-fixture';

/** The committed AWS fixture: its e-mail partner, and the configuration with its partners replaced. */
const FIXTURE = JSON.parse(readFileSync(AWS_CONFIG_FILE, 'utf8')) as { partners: Record<string, unknown>[] };
const MAIL_PARTNER = FIXTURE.partners.find((p) => p.connector === 'email')!;
function configWith(partners: Record<string, unknown>[]): string {
  const file = join(mkdtempSync(join(tmpdir(), 'hub-mail-')), 'hub.config.json');
  writeFileSync(file, JSON.stringify({ ...FIXTURE, partners }));
  return file;
}
const others = FIXTURE.partners.filter((p) => p !== MAIL_PARTNER);

const idOf = (c: IConstruct) => Stack.of(c).getLogicalId(c.node.defaultChild as CfnElement);
type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown; Principal?: unknown };
const actions = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

function roleStatements(hub: SynthesizedHub, fn: string): Statement[] {
  const role = idOf(hub.stack.services.fn(fn as never).fn.role!);
  const policies = hub.template.findResources('AWS::IAM::Policy', { Properties: { Roles: Match.arrayWith([{ Ref: role }]) } });
  return Object.values(policies).flatMap((p) => (p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement);
}

describe('with a partner on the email connector', () => {
  let hub: SynthesizedHub;
  beforeAll(() => { hub = synthHub(); });
  const ruleArn = () => hub.stack.resolve(hub.stack.formatArn({ service: 'ses', resource: 'receipt-rule-set', resourceName: 'HubTest-partner-mail:receipt-rule/partner-replies' })) as unknown;
  const bucket = () => hub.stack.state.mailBucket!;

  it('keeps received mail in a private, encrypted, TLS-only bucket that expires it', () => {
    hub.template.resourceCountIs('AWS::S3::Bucket', 1);
    hub.template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: {
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: MAIL_RETENTION_DAYS, Status: 'Enabled' })] },
      },
    });
    const policy = JSON.stringify(hub.template.findResources('AWS::S3::BucketPolicy'));
    expect(policy).toContain('aws:SecureTransport');
  });

  it('lets SES store mail only under the prefix, only for the hub\'s rule in this account', () => {
    const statements = Object.values(hub.template.findResources('AWS::S3::BucketPolicy'))
      .flatMap((p) => (p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement);
    const put = statements.filter((s) => actions(s).includes('s3:PutObject'));
    expect(put).toEqual([expect.objectContaining({
      Effect: 'Allow',
      Principal: { Service: 'ses.amazonaws.com' },
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [idOf(bucket()), 'Arn'] }, `/${MAIL_PREFIX}*`]] },
      Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' }, 'aws:SourceArn': ruleArn() } },
    })]);
  });

  it('receives the partner\'s replies: scan, TLS, store under the prefix, then invoke mail-inbound asynchronously', () => {
    hub.template.hasResourceProperties('AWS::SES::ReceiptRuleSet', { RuleSetName: 'HubTest-partner-mail' });
    const fn = hub.stack.services.fn('mail-inbound').fn;
    hub.template.hasResourceProperties('AWS::SES::ReceiptRule', {
      RuleSetName: { Ref: idOf(hub.stack.services.mailReceiving!.ruleSet) },
      Rule: {
        Name: 'partner-replies', Enabled: true, ScanEnabled: true, TlsPolicy: 'Require',
        Recipients: [MAIL_PARTNER.replyTo],
        Actions: [
          { S3Action: { BucketName: { Ref: idOf(bucket()) }, ObjectKeyPrefix: MAIL_PREFIX } },
          { LambdaAction: { FunctionArn: { 'Fn::GetAtt': [idOf(fn), 'Arn'] }, InvocationType: 'Event' } },
        ],
      },
    });
    hub.template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction', Principal: 'ses.amazonaws.com', FunctionName: { 'Fn::GetAtt': [idOf(fn), 'Arn'] },
      SourceAccount: { Ref: 'AWS::AccountId' }, SourceArn: ruleArn(),
    });
    // SES checks both permissions when it creates the rule
    const [rule] = Object.values(hub.template.findResources('AWS::SES::ReceiptRule')) as { DependsOn: string[] }[];
    expect(rule!.DependsOn).toEqual(expect.arrayContaining([idOf(hub.stack.state.mailBucket!.policy!)]));
    expect(rule!.DependsOn.some((d) => d.includes('InvokedBySesReceipt'))).toBe(true);
    hub.template.hasOutput('MailReceiptRuleSet', { Value: 'HubTest-partner-mail' });
  });

  it('mail-inbound reads the stored mail under the prefix only, with the bucket and prefix in its environment', () => {
    const sts = roleStatements(hub, 'mail-inbound');
    const s3 = sts.filter((s) => actions(s).some((a) => a.startsWith('s3:')));
    expect(s3).toEqual([expect.objectContaining({ Action: 's3:GetObject', Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [idOf(bucket()), 'Arn'] }, `/${MAIL_PREFIX}*`]] } })]);
    hub.template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ HUB_FUNCTION: 'mail-inbound', INBOUND_MAIL_BUCKET: { Ref: idOf(bucket()) }, INBOUND_MAIL_PREFIX: MAIL_PREFIX }) },
    });
    // like the webhook function: the inbound queue, no bus
    expect(sts.flatMap(actions)).toContain('sqs:SendMessage');
    expect(sts.flatMap(actions)).not.toContain('events:PutEvents');
  });

  it('the partner worker and comment forwarder may send from the partner\'s `from` identity (address or domain) only', () => {
    const identity = (name: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ses:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:identity/${name}`]] });
    for (const fn of ['partner-worker', 'comment-forwarder']) {
      const ses = roleStatements(hub, fn).filter((s) => actions(s).some((a) => a.startsWith('ses:')));
      expect(ses).toEqual([expect.objectContaining({
        Action: ['ses:SendEmail', 'ses:SendRawEmail'],
        Resource: [identity(MAIL_PARTNER.from as string), identity('hub.vendor.example')],
      })]);
    }
    for (const fn of ['poller', 'webhook', 'mail-inbound', 'api']) {
      expect(roleStatements(hub, fn).flatMap(actions).filter((a) => a.startsWith('ses:'))).toEqual([]);
    }
  });

  it('passes cdk-nag, every acknowledgement with its reason', () => {
    const findings = new AwsSolutionsChecks().validateScope(hub.app).violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} ${r.resourceLogicalId ?? ''}`));
    expect(findings).toEqual([]);
  });
});

describe('without one', () => {
  it('has no mail bucket, receipt rule, mail-inbound function or partner-mail grant', () => {
    const hub = synthHub({}, configWith(others));
    expect(hub.stack.topology.mail).toBeUndefined();
    expect(hub.stack.topology.functions.map((f) => f.name)).not.toContain('mail-inbound');
    for (const type of ['AWS::S3::Bucket', 'AWS::SES::ReceiptRuleSet', 'AWS::SES::ReceiptRule']) hub.template.resourceCountIs(type, 0);
    expect(JSON.stringify(hub.template.findResources('AWS::IAM::Policy'))).not.toContain('ses:SendRawEmail');
    expect(Object.keys(hub.template.findOutputs('*'))).not.toContain('MailReceiptRuleSet');
  });
});

it('refuses at synth an e-mail partner without a plain `from` address, naming the partner', () => {
  expect(() => synthHub({}, configWith([...others, { ...MAIL_PARTNER, from: 'Hub <hub@vendor.example>' }]))).toThrow(/partner contoso-mail: from: .*plain addresses/);
  const { from: _omitted, ...noFrom } = MAIL_PARTNER;
  expect(() => synthHub({}, configWith([...others, noFrom]))).toThrow(/partner contoso-mail: from/);
});

it('receives at `from` when a partner names no `replyTo` (its replies come back to the sender)', () => {
  const { replyTo: _omitted, ...noReplyTo } = MAIL_PARTNER;
  const hub = synthHub({}, configWith([...others, noReplyTo]));
  hub.template.hasResourceProperties('AWS::SES::ReceiptRule', { Rule: Match.objectLike({ Recipients: [MAIL_PARTNER.from] }) });
});
