/**
 * The hub on AWS, built from topology/topology.ts (the same declaration the local runtime starts from):
 * stateful constructs (table, bus, queues, secrets), stateless ones (functions, API, mappings, rules,
 * schedules) and alarms.
 */
import { Annotations, CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { HubAlarms } from './hub-alarms';
import type { DeployedHubConfig } from './hub-config';
import { partnerMailAddresses } from './hub-mail';
import { HubServices, type JwtSettings } from './hub-services';
import { HubState, MAIL_RETENTION_DAYS } from './hub-state';
import { buildTopology, type Topology } from '../topology/topology';

export interface HubStackProps extends StackProps {
  hubConfig: DeployedHubConfig;
  jwt: JwtSettings;
  alarmEmail?: string;
  /** Secrets are named `<secretPrefix><NAME>`. Default `partner-escalation-hub/`. */
  secretPrefix?: string;
  /** Keep the table when the stack is deleted (default true). */
  retainData?: boolean;
  logRetention?: logs.RetentionDays;
  /** The hub's public base URL, when a custom domain fronts the HTTP API (default the API's endpoint): webhook addresses given to partners. */
  publicUrl?: string;
}

export class HubStack extends Stack {
  readonly topology: Topology;
  readonly state: HubState;
  readonly services: HubServices;
  readonly alarms: HubAlarms;

  constructor(scope: Construct, id: string, props: HubStackProps) {
    super(scope, id, props);
    validateJwt(props.jwt);
    const { hubConfig } = props;
    this.topology = buildTopology(hubConfig.config.partners, hubConfig.config.subscribers, hubConfig.config.desks);
    for (const p of hubConfig.config.partners.filter((x) => x.sandbox || /^https?:\/\/(127\.|localhost)/.test(x.baseUrl))) {
      Annotations.of(this).addWarningV2('hub:local-partner', `partner ${p.id} points at a local sandbox (${p.baseUrl}); deploy a configuration with the partner's real base URL (context hubConfig)`);
    }

    const partnerMail = this.topology.mail && partnerMailAddresses(hubConfig.config, this.topology.mail.partners);

    this.state = new HubState(this, 'State', {
      queues: this.topology.queues,
      secretNames: hubConfig.secretNames,
      secretPrefix: props.secretPrefix ?? 'partner-escalation-hub/',
      dataRemovalPolicy: props.retainData === false ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
      inboundMail: this.topology.mail !== undefined,
    });
    this.services = new HubServices(this, 'Services', {
      topology: this.topology,
      state: this.state,
      jwt: props.jwt,
      hubConfigJson: hubConfig.rawJson,
      logRetention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      throttle: { rateLimit: 50, burstLimit: 100 },
      publicUrl: props.publicUrl,
      partnerMail,
    });
    this.alarms = new HubAlarms(this, 'Alarms', { state: this.state, services: this.services, ...(props.alarmEmail ? { alarmEmail: props.alarmEmail } : {}) });

    new CfnOutput(this, 'ApiUrl', { value: this.services.stage.url, description: 'Base URL of the HTTP API' });
    new CfnOutput(this, 'PublicUrl', { value: this.services.publicUrl, description: 'Base URL partners post webhooks to (Graph subscriptions: <PublicUrl>/v1/webhooks/<partnerId>/collaboration)' });
    new CfnOutput(this, 'TableName', { value: this.state.table.tableName });
    new CfnOutput(this, 'BusName', { value: this.state.bus.eventBusName });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarms.topic.topicArn });
    if (this.services.mailReceiving && this.state.mailBucket) {
      new CfnOutput(this, 'MailReceiptRuleSet', {
        value: this.services.mailReceiving.ruleSetName,
        description: 'SES receipt rule set of partner replies: activate it once per account and region (aws ses set-active-receipt-rule-set --rule-set-name <this>, docs/deploy.md)',
      });
      new CfnOutput(this, 'MailBucketName', { value: this.state.mailBucket.bucketName, description: `partner mail SES received (kept ${MAIL_RETENTION_DAYS} days)` });
    }
    for (const [name, s] of this.state.secrets) new CfnOutput(this, `Secret${name}Arn`, { value: s.secretArn, description: `put the value of \${${name}} here` });
  }
}

function validateJwt(jwt: JwtSettings) {
  let url: URL;
  try {
    url = new URL(jwt.issuer);
  } catch {
    throw new Error(`jwtIssuer must be the OIDC issuer URL (https://...), got "${jwt.issuer}"`);
  }
  if (url.protocol !== 'https:') throw new Error(`jwtIssuer must be an https URL (API Gateway fetches its discovery document), got "${jwt.issuer}"`);
  if (jwt.audience.length === 0 || jwt.audience.some((a) => a.trim() === '')) throw new Error('jwtAudience must name at least one audience (comma-separated)');
}
