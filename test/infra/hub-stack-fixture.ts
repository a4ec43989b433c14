/** Synthesizes the hub stack for infra tests: once per test file, without bundling (see bundle.test.ts for that). */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { join } from 'node:path';
import { readDeployedHubConfig, type DeployedHubConfig } from '../../infra/hub-config';
import { HubStack, type HubStackProps } from '../../infra/hub-stack';

export const AWS_CONFIG_FILE = join(__dirname, 'fixtures', 'hub.config.aws.json');

export interface SynthesizedHub { app: App; stack: HubStack; template: Template; hubConfig: DeployedHubConfig }

export function synthHub(over: Partial<HubStackProps> = {}, configFile = AWS_CONFIG_FILE): SynthesizedHub {
  // `aws:cdk:bundling-stacks: []` is how the CDK CLI skips asset bundling (`cdk synth --exclusively`):
  // NodejsFunction then stages a placeholder instead of running esbuild six times
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const hubConfig = readDeployedHubConfig(configFile);
  const stack = new HubStack(app, 'HubTest', {
    hubConfig,
    jwt: { issuer: 'https://auth.example.com/', audience: ['hub-api'] },
    alarmEmail: 'oncall@example.com',
    ...over,
  });
  return { app, stack, template: Template.fromStack(stack), hubConfig };
}
