/**
 * How long a function's environment will be once CloudFormation resolves it: Lambda refuses one over
 * 4 KB at deploy time, far from its cause, so infra/hub-function.ts checks this at synth. A reference is
 * counted at the length of what it becomes, not of its `{ "Ref": … }` expression: queue URLs and ARNs and
 * secret ARNs are two to three times longer than the expressions (the admin function's environment came
 * to 5.9 KB deployed on moto where the expressions summed to 4.6 KB).
 */
import { CfnResource, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** The longest values of the pseudo parameters (aws-us-gov, ap-southeast-2, amazonaws.com.cn). */
const PSEUDO: Record<string, number> = { 'AWS::Partition': 10, 'AWS::Region': 14, 'AWS::AccountId': 12, 'AWS::URLSuffix': 16 };
/** `arn:<partition>:<service>:<region>:<account>:` without the service. */
const ARN_PREFIX = 'arn:::::'.length + PSEUDO['AWS::Partition']! + PSEUDO['AWS::Region']! + PSEUDO['AWS::AccountId']!;
/** CloudFormation's random suffix of a generated name (`<stack>-<logical id>-<suffix>`). */
const GENERATED_SUFFIX = 13;
const SQS_QUEUE_NAME_MAX = 80;

type Intrinsic = { Ref?: string; 'Fn::GetAtt'?: [string, string]; 'Fn::Join'?: [string, unknown[]] };

/** A stack's resources by logical id, found once per stack when first asked (at synth: the tree is complete). */
const resourcesOf = new WeakMap<Stack, Map<string, CfnResource>>();

export class EnvironmentSize {
  constructor(private readonly stack: Stack) {}

  /** The bytes of `env` (names and values) once deployed, references at the length of what they resolve to. */
  bytes(env: Record<string, string>): number {
    return Object.entries(env).reduce((n, [k, v]) => n + Buffer.byteLength(k) + this.length(this.stack.resolve(v)), 0);
  }

  private length(v: unknown): number {
    if (typeof v === 'string') return Buffer.byteLength(v);
    const x = v as Intrinsic;
    const join = x?.['Fn::Join'];
    if (join) return join[1].reduce<number>((n, p) => n + this.length(p), 0) + Buffer.byteLength(join[0]) * Math.max(0, join[1].length - 1);
    if (typeof x?.Ref === 'string') return PSEUDO[x.Ref] ?? (x.Ref === 'AWS::StackName' ? Buffer.byteLength(this.stack.stackName) : this.referenceLength(x.Ref, 'Ref'));
    const att = x?.['Fn::GetAtt'];
    if (att) return this.referenceLength(att[0], att[1]);
    return Buffer.byteLength(JSON.stringify(v));
  }

  /** What a `Ref` or `Fn::GetAtt` of a resource becomes; other references count as their expression. */
  private referenceLength(logicalId: string, attribute: string): number {
    const r = this.resource(logicalId);
    const generatedName = (max: number) => Math.min(max, Buffer.byteLength(this.stack.stackName) + logicalId.length + 2 + GENERATED_SUFFIX);
    if (r?.cfnResourceType === 'AWS::SQS::Queue') {
      const name = generatedName(SQS_QUEUE_NAME_MAX);
      if (attribute === 'Ref') return 'https://sqs.../'.length + PSEUDO['AWS::Region']! + PSEUDO['AWS::URLSuffix']! + PSEUDO['AWS::AccountId']! + name;
      if (attribute === 'Arn') return ARN_PREFIX + 'sqs'.length + name;
      if (attribute === 'QueueName') return name;
    }
    if (r?.cfnResourceType === 'AWS::SecretsManager::Secret' && attribute === 'Ref') {
      const name: unknown = this.stack.resolve((r as unknown as { name?: unknown }).name);
      // arn:…:secretsmanager:…:secret:<name>-<6 random characters>
      if (typeof name === 'string') return ARN_PREFIX + 'secretsmanager'.length + 'secret:'.length + Buffer.byteLength(name) + 7;
    }
    return Buffer.byteLength(JSON.stringify(attribute === 'Ref' ? { Ref: logicalId } : { 'Fn::GetAtt': [logicalId, attribute] }));
  }

  private resource(logicalId: string): CfnResource | undefined {
    let resources = resourcesOf.get(this.stack);
    if (!resources) {
      resources = new Map(this.stack.node.findAll()
        .filter((c: IConstruct): c is CfnResource => CfnResource.isCfnResource(c))
        .map((c) => [this.stack.resolve(c.logicalId) as string, c]));
      resourcesOf.set(this.stack, resources);
    }
    return resources.get(logicalId);
  }
}
