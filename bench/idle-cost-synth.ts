/** The idle cost of the stack as `npx cdk synth` builds it (CDK_DEFAULT_REGION us-east-1, cdk.json's context). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildHubApp } from '../infra/app';
import { REPO_ROOT } from '../infra/hub-config';
import { idleMonthlyCost, type IdleCost, type Template } from './idle-cost';

export function synthesizedTemplate(region = 'us-east-1'): Template {
  const cdkJson = JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
  // asset bundling is skipped as `cdk synth --exclusively` does: the template is the same
  const { app, stack } = buildHubApp({ CDK_DEFAULT_REGION: region }, { context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] } });
  return app.synth().getStackByName(stack.stackName).template as Template;
}

export const synthesizedIdleCost = (): IdleCost => idleMonthlyCost(synthesizedTemplate());
