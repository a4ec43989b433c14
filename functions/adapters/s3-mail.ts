/**
 * Reads the partner mail SES received: its receipt rule stores each mail, raw, as `<prefix><SES message id>`
 * in the stack's mail bucket (INBOUND_MAIL_BUCKET, INBOUND_MAIL_PREFIX, given with the read grant by
 * infra/hub-function.ts `readInboundMail`).
 */
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ConfigError } from '../../core/errors';
import { requiredEnv } from './config-source';

/** The raw bytes of the mail SES stored under `messageId`, and where they stay (`s3://bucket/key`, for the timeline). */
export type ReadStoredMail = (messageId: string) => Promise<{ raw: Uint8Array; storedAt: string }>;

let client: S3Client | undefined;
export function s3StoredMail(env: NodeJS.ProcessEnv = process.env): ReadStoredMail {
  const bucket = requiredEnv('INBOUND_MAIL_BUCKET', env);
  const prefix = requiredEnv('INBOUND_MAIL_PREFIX', env);
  return async (messageId) => {
    const key = `${prefix}${messageId}`;
    const r = await (client ??= new S3Client({})).send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    if (!r.Body) throw new ConfigError(`s3://${bucket}/${key} has no body`);
    return { raw: await r.Body.transformToByteArray(), storedAt: `s3://${bucket}/${key}` };
  };
}
