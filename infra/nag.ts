/**
 * cdk-nag acknowledgements built from what they acknowledge. cdk-nag names a wildcard finding after the
 * resource as the template renders it (`Resource::arn:aws:ses:us-east-1:<AWS::AccountId>:identity/*` when the
 * CLI gives the stack a region, `…:<AWS::Partition>:ses:<AWS::Region>:…` when nothing does), so an id typed
 * as a string matches one environment only. These helpers resolve the resource in its stack and flatten it
 * with cdk-nag's own function, so the acknowledgement holds in every region, partition and account.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
// cdk-nag's own flattening, the one its rules use to name a finding (not re-exported from its index)
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';

/** The finding id cdk-nag gives `rule` for a wildcard `resource` (an ARN string, tokens allowed) in `scope`'s stack. */
export function nagResourceFinding(scope: IConstruct, rule: string, resource: string): string {
  return `${rule}[Resource::${flattenCfnReference(Stack.of(scope).resolve(resource))}]`;
}

/** Acknowledges `rule` on `target` for exactly these wildcard resources, whatever environment the stack is in. */
export function acknowledgeWildcards(target: IConstruct, rule: string, resources: readonly string[], reason: string): void {
  for (const r of resources) Validations.of(target).acknowledge({ id: nagResourceFinding(target, rule, r), reason });
}
