/**
 * Where moto 5.2.6 is not AWS, and what the AWS-parity tier does about it: every workaround lives here,
 * named, so the template under test is the template that ships. Each changes only how moto is fed, never
 * what the hub does; the resources moto's CloudFormation does not create are read from the template by
 * the runner (test/aws/lambda-runner.ts).
 *
 * | gap (moto 5.2.6) | what happens in moto | workaround |
 * | --- | --- | --- |
 * | ARCHIVE_PATTERN | `AWS::Events::Archive` with `EventPattern` as an object (as CloudFormation takes it): 500 (`json.loads` of a dict) | the pattern is passed as its JSON text |
 * | ARCHIVE_NAME | an archive without `ArchiveName` gets `<stack>-<logical id>-<suffix>`, over the 48-character limit moto enforces: refused | a name of at most 40 characters from the logical id |
 * | BUS_REF | `Ref` to an `AWS::Events::EventBus` resolves to the Python object (`<moto.events.models.EventBus object at …>`), so `put_rule` fails (500) and `BUS_NAME` would be garbage | `Ref` to a bus becomes `Fn::GetAtt [bus, Name]`, which is what `Ref` returns in AWS |
 * | SECRETS | no CloudFormation support for `AWS::SecretsManager::Secret` (skipped with a warning; a `Ref` to it resolves to nothing, so the secret-read policy is refused: "Policy statement must contain resources") | each secret is created by the Secrets Manager API under the template's `Name` (with the test's value, as an operator's put-secret-value, or else one generated from its `GenerateSecretString`), and `Ref`s to it become that ARN |
 * | API_ENDPOINT | `Fn::GetAtt [<AWS::ApiGatewayV2::Api>, ApiEndpoint]` (the hub's public URL: an output, and `HUB_PUBLIC_URL` of the functions that hand webhook addresses to partners) names a resource moto does not create: in `Outputs` its validation crashes (500, `'NoneType' object has no attribute 'has_cfn_attr'`) | the endpoint is the runner's HTTP front door, which plays API Gateway: its 127.0.0.1 URL is put in place of the `GetAtt` |
 * | SKIPPED | no CloudFormation support for API Gateway v2, EventBridge Scheduler, CloudWatch alarms, SQS queue policies and SNS topic policies (skipped with a warning) | nothing to change: routes and schedules are read from the template; alarms and policies are checked by test/infra |
 * | ESM_RUNS_LAMBDA | moto's SQS invokes the mapped function itself on every send (with Docker, which is absent here) and counts a receive for it, so receive counts would start at 2 | after the deploy, each mapping is disabled (UpdateEventSourceMapping Enabled=false); the runner polls the mappings that were enabled as deployed |
 * | SNS_SUBSCRIPTION | no CloudFormation support for `AWS::SNS::Subscription` (the alarm e-mail's subscription is skipped), though a topic's inline `Subscription` list is created | each subscription to a topic of the template moves into that topic's `Subscription` list (same endpoint and protocol) |
 * | MOVE_TASK | no StartMessageMoveTask (dead-letter redrive) | the tier lists dead letters through the admin route but does not redrive them |
 * | SES_SENT | moto keeps a sent mail's subject, body and addresses but not its headers, and `/moto-api/data.json` fails (500) once Lambda functions exist (their model reaches for Docker) | the runner records the functions' SESv2 calls on their way to moto (lambda-runner.ts `sesCalls`) |
 * | SES_RECEIPT | no CloudFormation support for `AWS::SES::ReceiptRuleSet` and `AWS::SES::ReceiptRule` (skipped with a warning), nor for `AWS::S3::BucketPolicy`; moto receives no mail | after the deploy, each rule set and rule is created by the SES API from the template's properties, `Ref`s and `GetAtt … Arn`s resolved to the deployed bucket and function (moto checks both exist); the runner plays SES's receiving from the deployed template's rule (store under the prefix, then invoke) |
 */
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { randomBytes } from 'node:crypto';
import { DescribeStackResourcesCommand, CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { GetFunctionConfigurationCommand, LambdaClient, ListEventSourceMappingsCommand, UpdateEventSourceMappingCommand } from '@aws-sdk/client-lambda';

export type Template = { Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; [k: string]: unknown }>; [k: string]: unknown };

const REGION = 'us-east-1';
const config = (endpoint: string) => ({ endpoint, region: REGION, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });

/** What `GenerateSecretString` (letters and digits, `PasswordLength`) would produce. */
function generatedSecret(spec: { PasswordLength?: number } | undefined, name: string): string {
  if (!spec) throw new Error(`the secret ${name} has no GenerateSecretString and the test gives it no value`);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(randomBytes(spec.PasswordLength ?? 32), (b) => alphabet[b % alphabet.length]).join('');
}

/** Replaces `{ Ref: id }` by `to(id)` wherever `to` returns a value. */
function rewriteRefs(v: unknown, to: (id: string) => unknown): unknown {
  if (Array.isArray(v)) return v.map((x) => rewriteRefs(x, to));
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (typeof o.Ref === 'string' && Object.keys(o).length === 1) return to(o.Ref) ?? o;
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, rewriteRefs(x, to)]));
  }
  return v;
}

/** API_ENDPOINT: `{ "Fn::GetAtt": [api, "ApiEndpoint"] }` of an HTTP API becomes `url`. */
function replaceApiEndpoint(v: unknown, isApi: (id: string) => boolean, url: string): unknown {
  if (Array.isArray(v)) return v.map((x) => replaceApiEndpoint(x, isApi, url));
  if (v && typeof v === 'object') {
    const att = (v as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
    if (Array.isArray(att) && att[1] === 'ApiEndpoint' && isApi(att[0])) return url;
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, replaceApiEndpoint(x, isApi, url)]));
  }
  return v;
}

export interface MotoTemplate {
  template: Template;
  /** Secret ARNs created by API (SECRETS), by the template's secret name. */
  secretArns: Record<string, string>;
}

/**
 * The synthesized template as moto can create it (ARCHIVE_PATTERN, ARCHIVE_NAME, BUS_REF, SECRETS, API_ENDPOINT, SNS_SUBSCRIPTION).
 * @param apiEndpoint the URL that plays the HTTP API's endpoint (the runner's front door)
 * @param secretValues test value of each secret, by the last part of its name (`partner-escalation-hub/ACME_TOKEN` → `ACME_TOKEN`)
 */
export async function adaptTemplateForMoto(endpoint: string, synthesized: Template, secretValues: Record<string, string>, apiEndpoint: string): Promise<MotoTemplate> {
  const t = structuredClone(synthesized);
  const secrets = new SecretsManagerClient(config(endpoint));
  const secretArns: Record<string, string> = {};
  const secretArnByLogicalId: Record<string, string> = {};
  for (const [id, r] of Object.entries(t.Resources)) {
    const p = r.Properties ?? {};
    if (r.Type === 'AWS::Events::Archive') {
      if (p.EventPattern && typeof p.EventPattern === 'object') p.EventPattern = JSON.stringify(p.EventPattern); // ARCHIVE_PATTERN
      p.ArchiveName ??= id.slice(0, 40); // ARCHIVE_NAME
    }
    if (r.Type === 'AWS::SecretsManager::Secret') { // SECRETS
      const name = String(p.Name);
      const ref = name.split('/').pop()!;
      // a value the test sets plays the operator's put-secret-value; otherwise the value CloudFormation would generate
      const value = secretValues[ref] ?? generatedSecret(p.GenerateSecretString as { PasswordLength?: number } | undefined, name);
      const created = await secrets.send(new CreateSecretCommand({ Name: name, SecretString: value, ...(p.Description ? { Description: String(p.Description) } : {}) }));
      secretArns[name] = created.ARN!;
      secretArnByLogicalId[id] = created.ARN!;
      delete t.Resources[id];
    }
    const topicId = (p.TopicArn as { Ref?: string } | undefined)?.Ref;
    if (r.Type === 'AWS::SNS::Subscription' && topicId && t.Resources[topicId]) { // SNS_SUBSCRIPTION
      const topic = (t.Resources[topicId]!.Properties ??= {});
      topic.Subscription = [...((topic.Subscription as unknown[] | undefined) ?? []), { Endpoint: p.Endpoint, Protocol: p.Protocol }];
      delete t.Resources[id];
    }
  }
  const type = (id: string) => synthesized.Resources[id]?.Type;
  const withEndpoint = replaceApiEndpoint(t, (id) => type(id) === 'AWS::ApiGatewayV2::Api', apiEndpoint); // API_ENDPOINT
  const rewritten = rewriteRefs(withEndpoint, (id) => {
    if (secretArnByLogicalId[id]) return secretArnByLogicalId[id]; // SECRETS
    if (type(id) === 'AWS::Events::EventBus') return { 'Fn::GetAtt': [id, 'Name'] }; // BUS_REF
    return undefined;
  }) as Template;
  return { template: rewritten, secretArns };
}

/** ESM_RUNS_LAMBDA: disables every enabled SQS mapping; returns their UUIDs (the ones the runner polls). */
export async function afterDeploy(endpoint: string): Promise<Set<string>> {
  const lambda = new LambdaClient(config(endpoint));
  const disabled = new Set<string>();
  for (const m of (await lambda.send(new ListEventSourceMappingsCommand({}))).EventSourceMappings ?? []) {
    if (m.State === 'Disabled' || !m.EventSourceArn?.startsWith('arn:aws:sqs:')) continue;
    await lambda.send(new UpdateEventSourceMappingCommand({ UUID: m.UUID!, Enabled: false }));
    disabled.add(m.UUID!);
  }
  return disabled;
}

/** A query-protocol call (SES v1: the project has no SDK client for it), `params` flattened as the protocol does (`a.b`, lists as `a.member.N`). */
async function queryCall(endpoint: string, service: string, action: string, params: Record<string, unknown>) {
  const form = new URLSearchParams({ Action: action, Version: '2010-12-01' });
  const flatten = (key: string, v: unknown): void => {
    if (Array.isArray(v)) v.forEach((x, i) => flatten(`${key}.member.${i + 1}`, x));
    else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) flatten(key ? `${key}.${k}` : k, x);
    else if (v !== undefined) form.append(key, String(v));
  };
  flatten('', params);
  const r = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `AWS4-HMAC-SHA256 Credential=testing/20250101/${REGION}/${service}/aws4_request, SignedHeaders=host, Signature=0` },
    body: form,
  });
  if (!r.ok) throw new Error(`${service} ${action}: HTTP ${r.status} ${await r.text()}`);
}

/**
 * SES_RECEIPT: the template's receipt rule sets and rules, created by the SES API with the deployed bucket
 * and function in place of the template's `Ref` / `Fn::GetAtt [fn, Arn]`.
 */
export async function createReceiptRules(endpoint: string, stackName: string, template: Template): Promise<void> {
  const rules = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::SES::ReceiptRule');
  if (rules.length === 0) return;
  const described = await new CloudFormationClient(config(endpoint)).send(new DescribeStackResourcesCommand({ StackName: stackName }));
  const physical = new Map((described.StackResources ?? []).map((r) => [r.LogicalResourceId!, r.PhysicalResourceId!]));
  const lambda = new LambdaClient(config(endpoint));
  const arns = new Map<string, string>();
  for (const [id, r] of Object.entries(template.Resources)) {
    if (r.Type === 'AWS::Lambda::Function') arns.set(id, (await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: physical.get(id) }))).FunctionArn!);
  }
  const ruleSetNames = new Map(Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::SES::ReceiptRuleSet').map(([id, r]) => [id, String(r.Properties!.RuleSetName)]));
  const resolve = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(resolve);
    if (v && typeof v === 'object') {
      const o = v as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
      if (typeof o.Ref === 'string') return ruleSetNames.get(o.Ref) ?? physical.get(o.Ref) ?? o;
      if (o['Fn::GetAtt']?.[1] === 'Arn' && arns.has(o['Fn::GetAtt'][0])) return arns.get(o['Fn::GetAtt'][0]);
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolve(x)]));
    }
    return v;
  };
  for (const name of ruleSetNames.values()) await queryCall(endpoint, 'ses', 'CreateReceiptRuleSet', { RuleSetName: name });
  for (const [, r] of rules) {
    const p = resolve(r.Properties) as { RuleSetName: string; Rule: unknown; After?: string };
    await queryCall(endpoint, 'ses', 'CreateReceiptRule', { RuleSetName: p.RuleSetName, Rule: p.Rule, ...(p.After ? { After: p.After } : {}) });
  }
}
