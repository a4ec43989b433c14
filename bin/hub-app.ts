/** The CDK app's entry point (cdk.json `app`): `npx cdk synth` / `npx cdk deploy`. Context values: infra/app.ts. */
import { buildHubApp } from '../infra/app';

buildHubApp();
