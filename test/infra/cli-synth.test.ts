/**
 * The CDK app as the CDK CLI runs it: `CDK_DEFAULT_REGION` is always set (us-east-1 when nothing is
 * configured), `CDK_DEFAULT_ACCOUNT` only with credentials. Tokens such as the partition and region then
 * render as literals, so a cdk-nag acknowledgement typed for one environment stops matching in another;
 * this synthesizes in several regions and partitions, with and without an account, and wants no finding.
 */
import { AwsSolutionsChecks } from 'cdk-nag';
import { Template } from 'aws-cdk-lib/assertions';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { buildHubApp, cliContext } from '../../infra/app';

const ENVIRONMENTS = [
  { region: 'us-east-1', partition: 'aws' },
  { region: 'eu-west-1', partition: 'aws' },
  { region: 'cn-north-1', partition: 'aws-cn' },
  { region: 'us-gov-west-1', partition: 'aws-us-gov' },
];

const unacknowledged = (app: ReturnType<typeof buildHubApp>['app']) =>
  new AwsSolutionsChecks().validateScope(app).violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} ${r.resourceLogicalId ?? ''} ${r.locations?.join(',') ?? ''}`));

// cdk.json's context as the CLI hands it, bundling skipped (bundling.test.ts covers bundling)
const props = { context: cliContext() };

describe.each(ENVIRONMENTS)('npx cdk synth in $region', ({ region, partition }) => {
  it.each([undefined, '123456789012'])('passes cdk-nag with account %s', (account) => {
    const { app, stack } = buildHubApp({ CDK_DEFAULT_REGION: region, CDK_DEFAULT_ACCOUNT: account }, props);
    expect(unacknowledged(app)).toEqual([]);
    // the environment really reached the template: the SES grant is rendered for this partition and region
    const policies = JSON.stringify(Template.fromStack(stack).findResources('AWS::IAM::Policy'));
    expect(policies).toContain(`arn:${partition}:ses:${region}:`);
  });
});

it('would report an acknowledgement that no longer matches (the check above can fail)', () => {
  // without a region the SES grant renders with <AWS::Partition>/<AWS::Region>; the same checks still pass…
  const { app } = buildHubApp({}, props);
  expect(unacknowledged(app)).toEqual([]);
  // …and a grant acknowledged for another environment than the one rendered is reported
  const { app: other, stack } = buildHubApp({ CDK_DEFAULT_REGION: 'eu-west-1' }, props);
  const fn = stack.services.fn('notifier').fn;
  fn.addToRolePolicy(new PolicyStatement({ actions: ['ses:SendRawEmail'], resources: ['arn:aws:ses:us-east-1:*:identity/x'] }));
  expect(unacknowledged(other).some((f) => f.startsWith('AwsSolutions-IAM5'))).toBe(true);
});
