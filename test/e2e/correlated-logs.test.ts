/** The local runtime's lines are correlated as in AWS: by the request id its front door mints and by message id. */
import { scopedLog, type LogFields } from '../../core/log';
import { uid } from '../support/fixtures';
import { engineerToken, http, startE2E, waitFor, type E2E } from '../support/local-hub';

const lines: (LogFields & { message: string })[] = [];
let e2e: E2E;
beforeAll(async () => { e2e = await startE2E({}, { log: scopedLog((_level, message, fields) => { lines.push({ ...fields, message }); }) }); });
afterAll(() => e2e.stop());

it('a flag over HTTP and the opening it queues log with the request id, then the message id, and the escalation\'s ids', async () => {
  const caseId = uid('CASE');
  const created = await http(e2e.hub.url, 'POST', '/v1/escalations', {
    token: engineerToken(), body: { caseId, customerId: 'acme', platform: 'acme', severity: 'high', summary: 's', findings: 'f' },
  });
  expect(created.status).toBe(202);
  const ids = { escalationId: created.json.escalationId, caseId, partnerId: 'acme-cloud' };
  const opened = await waitFor('the opening to be logged', async () => lines.find((l) => l.message === 'partner incident opened' && l.escalationId === ids.escalationId));
  expect(opened).toMatchObject({ ...ids, messageId: expect.any(String), queue: 'partner-work-acme-cloud' });
  const requested = lines.find((l) => l.message === 'escalation requested' && l.escalationId === ids.escalationId);
  expect(requested).toMatchObject({ ...ids, requestId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
  expect(requested).not.toHaveProperty('messageId');
  expect(opened).not.toHaveProperty('requestId');
});
