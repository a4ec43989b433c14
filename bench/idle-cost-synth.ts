/** The idle cost of the stack as `npx cdk synth` builds it (CDK_DEFAULT_REGION us-east-1, cdk.json's context). */
import { buildHubApp, cliContext } from '../infra/app';
import { idleMonthlyCost, type IdleCost, type Template } from './idle-cost';

export function synthesizedTemplate(region = 'us-east-1'): Template {
  const { app, stack } = buildHubApp({ CDK_DEFAULT_REGION: region }, { context: cliContext() });
  return app.synth().getStackByName(stack.stackName).template as Template;
}

export const synthesizedIdleCost = (): IdleCost => idleMonthlyCost(synthesizedTemplate());
