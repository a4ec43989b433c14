import { partnerBreaker } from '../../connectors/circuit-breaker';
import { PartnerCallError } from '../../core/errors';

const profile = { id: 'p', name: 'Partner', circuitBreaker: { consecutiveFailures: 3, halfOpenAfterMs: 1000 } };
const fail = (transient: boolean) => async () => { throw new PartnerCallError('HTTP 503', transient, transient ? 503 : 400); };

describe('partner circuit breaker', () => {
  it('opens after consecutive transient failures, fails fast with the time left, and closes after a good trial call', async () => {
    let t = 0;
    const b = partnerBreaker(profile, () => t);
    let calls = 0;
    const down = async () => { calls++; throw new PartnerCallError('HTTP 503', true, 503); };
    for (let i = 0; i < 3; i++) await expect(b.run(down)).rejects.toMatchObject({ httpStatus: 503 });
    expect(b.state).toBe('open');
    t = 400;
    const fast = b.run(down);
    await expect(fast).rejects.toMatchObject({ transient: true, retryAfterMs: 600 });
    expect(calls).toBe(3); // the partner was not called while open
    await new Promise((r) => setTimeout(r, 1050)); // cockatiel's own clock decides half-open
    t = 1100;
    await expect(b.run(async () => 'ok')).resolves.toBe('ok');
    expect(b.state).toBe('closed');
  });

  it('is not opened by final answers, and a success resets the count', async () => {
    const b = partnerBreaker(profile);
    for (let i = 0; i < 5; i++) await expect(b.run(fail(false))).rejects.toBeInstanceOf(PartnerCallError);
    expect(b.state).toBe('closed');
    await expect(b.run(fail(true))).rejects.toBeInstanceOf(PartnerCallError);
    await expect(b.run(fail(true))).rejects.toBeInstanceOf(PartnerCallError);
    await b.run(async () => 1);
    await expect(b.run(fail(true))).rejects.toBeInstanceOf(PartnerCallError);
    expect(b.state).toBe('closed');
  });
});
