import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { logHandling } from '../../core/log';
import { hubLogger, withLambdaContext } from '../../functions/adapters/logger';

/** The JSON lines the Powertools Logger writes (info to stdout, warn and error to stderr) while `work` runs. */
async function jsonLines(work: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const out: string[] = [];
  const capture = (chunk: string | Uint8Array) => { out.push(String(chunk)); return true; };
  const spies = [jest.spyOn(process.stdout, 'write').mockImplementation(capture), jest.spyOn(process.stderr, 'write').mockImplementation(capture)];
  try {
    await work();
  } finally {
    spies.forEach((s) => s.mockRestore());
  }
  return out.join('').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
}

const context = {
  functionName: 'hub-partner-worker', functionVersion: '$LATEST', memoryLimitInMB: '512', awsRequestId: 'aws-req-1',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:hub-partner-worker',
} as Context;

describe('Powertools logger adapter', () => {
  it('writes the keys of the handling, those appended on the way and the line\'s own fields in its JSON line', async () => {
    const logger = new Logger({ serviceName: 'test-hub' });
    const log = hubLogger(logger);
    const lines = await jsonLines(() => logHandling({ messageId: 'm-1', queue: 'partner-work-acme', escalationId: 'esc-1' }, async () => {
      log.info('before the escalation is loaded');
      log.appendKeys({ caseId: 'CASE-1', partnerId: 'acme' });
      log.warn('partner attempt failed', { attempt: 2 });
    }));
    expect(lines).toEqual([
      expect.objectContaining({ level: 'INFO', message: 'before the escalation is loaded', service: 'test-hub', messageId: 'm-1', queue: 'partner-work-acme', escalationId: 'esc-1' }),
      expect.objectContaining({ level: 'WARN', message: 'partner attempt failed', messageId: 'm-1', escalationId: 'esc-1', caseId: 'CASE-1', partnerId: 'acme', attempt: 2 }),
    ]);
    expect(lines[0]).not.toHaveProperty('caseId');
  });

  it('adds the Lambda invocation to the lines of a handler entry (Powertools addContext)', async () => {
    const logger = new Logger({ serviceName: 'test-hub' });
    const log = hubLogger(logger);
    const handler = withLambdaContext(async (event: { n: number }) => { log.info('handled', { n: event.n }); return event.n; }, logger);
    let result: number | undefined;
    const lines = await jsonLines(async () => { result = await handler({ n: 7 }, context); });
    expect(result).toBe(7);
    expect(lines).toEqual([expect.objectContaining({ message: 'handled', n: 7, function_request_id: 'aws-req-1', function_name: 'hub-partner-worker', cold_start: expect.any(Boolean) })]);
  });
});
