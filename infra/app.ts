/**
 * The CDK app, built the way `npx cdk synth` / `npx cdk deploy` build it (bin/hub-app.ts calls this). The CLI
 * passes the environment as `CDK_DEFAULT_REGION` (always set: us-east-1 when nothing is configured) and
 * `CDK_DEFAULT_ACCOUNT` (only with credentials), and context as `CDK_CONTEXT_JSON`.
 *
 * Context values (cdk.json or `-c name=value`):
 *
 * | context | meaning | default |
 * | --- | --- | --- |
 * | `jwtIssuer` | OIDC issuer URL whose tokens the HTTP API accepts | required (a placeholder is used for synth only) |
 * | `jwtAudience` | accepted audiences, comma-separated | required (placeholder for synth only) |
 * | `hubConfig` | partner configuration file to deploy | `hub.config.json` |
 * | `stackName` | CloudFormation stack name | `PartnerEscalationHub` |
 * | `alarmEmail` | e-mail subscribed to the alarm topic | none |
 * | `secretPrefix` | Secrets Manager name prefix for `${NAME}` secrets | `partner-escalation-hub/` |
 * | `retainData` | `false` deletes the table with the stack | `true` |
 * | `hubPublicUrl` | the hub's public base URL when a custom domain fronts the API (Graph subscriptions' notification URL) | the HTTP API's endpoint |
 */
import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readDeployedHubConfig, REPO_ROOT } from './hub-config';
import { HubStack } from './hub-stack';

/** What the CDK CLI hands the app process. */
export interface CliEnvironment { CDK_DEFAULT_REGION?: string | undefined; CDK_DEFAULT_ACCOUNT?: string | undefined }

/**
 * The context the CDK CLI hands the app, for synthesizing in-process as `npx cdk synth` does: cdk.json's
 * (feature flags such as partition literals), then the `-c` values, with asset bundling skipped as the CLI
 * skips it for stacks it does not deploy (`aws:cdk:bundling-stacks: []`; the template is the same).
 */
export function cliContext(values: Record<string, unknown> = {}): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
  return { ...cdkJson.context, ...values, 'aws:cdk:bundling-stacks': [] };
}

// `cdk synth` works without an issuer; `cdk deploy` of the placeholder would accept no real token
const SYNTH_ISSUER = 'https://issuer.invalid/';

export function buildHubApp(cli: CliEnvironment = process.env, props: AppProps = {}): { app: App; stack: HubStack } {
  const app = new App(props);
  const ctx = (name: string): string | undefined => {
    const v: unknown = app.node.tryGetContext(name);
    return v === undefined || v === null || v === '' ? undefined : String(v);
  };
  const issuer = ctx('jwtIssuer') ?? SYNTH_ISSUER;
  if (issuer === SYNTH_ISSUER) console.error('note: jwtIssuer/jwtAudience not set; synthesizing with placeholders (set them before `cdk deploy`, docs/deploy.md)');

  const stack = new HubStack(app, ctx('stackName') ?? 'PartnerEscalationHub', {
    description: 'Partner escalation hub (partner-escalation-hub): HTTP API, Lambda, EventBridge, SQS, DynamoDB',
    hubConfig: readDeployedHubConfig(ctx('hubConfig')),
    jwt: { issuer, audience: (ctx('jwtAudience') ?? 'partner-escalation-hub').split(',').map((s) => s.trim()) },
    ...(ctx('alarmEmail') ? { alarmEmail: ctx('alarmEmail')! } : {}),
    ...(ctx('secretPrefix') ? { secretPrefix: ctx('secretPrefix')! } : {}),
    retainData: ctx('retainData') !== 'false',
    ...(ctx('hubPublicUrl') ? { publicUrl: validPublicUrl(ctx('hubPublicUrl')!) } : {}),
    env: { account: cli.CDK_DEFAULT_ACCOUNT, region: cli.CDK_DEFAULT_REGION },
  });

  // cdk-nag: any unacknowledged AwsSolutions finding fails the synth
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}

/** `hubPublicUrl` must be an https URL (Graph posts notifications only to https); trailing slashes dropped. */
function validPublicUrl(v: string): string {
  let url: URL;
  try { url = new URL(v); } catch { throw new Error(`hubPublicUrl must be the hub's public https URL, got "${v}"`); }
  if (url.protocol !== 'https:') throw new Error(`hubPublicUrl must be an https URL (Graph delivers only to https), got "${v}"`);
  return v.replace(/\/+$/, '');
}
