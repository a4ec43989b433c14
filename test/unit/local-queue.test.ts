import type { SQSEvent } from 'aws-lambda';
import fc from 'fast-check';
import { logHandling, scopedLog, type LogFields } from '../../core/log';
import { LocalQueue } from '../../local/queues';

jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate'] });
const flush = async () => { for (let i = 0; i < 5; i++) await Promise.resolve(); };

describe('local queue (SQS semantics)', () => {
  it('hides a received message for the visibility timeout, then delivers it again with a higher receive count', () => {
    let t = 0;
    const q = new LocalQueue({ name: 'q', visibilityTimeoutMs: 1000 }, () => t);
    q.send('a');
    const [first] = q.receive(10);
    expect(first!.attributes.ApproximateReceiveCount).toBe('1');
    expect(q.receive(10)).toHaveLength(0);
    t = 999;
    expect(q.receive(10)).toHaveLength(0);
    t = 1000;
    const [again] = q.receive(10);
    expect(again!.messageId).toBe(first!.messageId);
    expect(again!.attributes.ApproximateReceiveCount).toBe('2');
    q.delete(again!.messageId);
    t = 5000;
    expect(q.receive(10)).toHaveLength(0);
  });

  it('holds delayed messages back until their delay has passed', () => {
    let t = 0;
    const q = new LocalQueue({ name: 'q', visibilityTimeoutMs: 1000 }, () => t);
    q.send('later', 500);
    expect(q.receive(10)).toHaveLength(0);
    t = 500;
    expect(q.receive(10).map((r) => r.body)).toEqual(['later']);
  });

  it('moves a message to the dead-letter queue after maxReceiveCount receives', () => {
    let t = 0;
    const dlq = new LocalQueue({ name: 'dlq', visibilityTimeoutMs: 1000 }, () => t);
    const q = new LocalQueue({ name: 'q', visibilityTimeoutMs: 10, maxReceiveCount: 3, deadLetter: dlq }, () => t);
    q.send('poison');
    for (let i = 0; i < 3; i++) { expect(q.receive(1)).toHaveLength(1); t += 10; }
    expect(q.receive(1)).toHaveLength(0);
    expect(q.depth).toBe(0);
    expect(dlq.peek().map((m) => m.body)).toEqual(['poison']);
  });

  it('deletes only the records a consumer did not report as failed (partial batch failure)', async () => {
    const seen: string[] = [];
    const q = new LocalQueue({ name: 'q', visibilityTimeoutMs: 60_000, batchSize: 10 });
    q.attach(async (event: SQSEvent) => {
      seen.push(...event.Records.map((r) => r.body));
      return { batchItemFailures: event.Records.filter((r) => r.body === 'bad').map((r) => ({ itemIdentifier: r.messageId })) };
    });
    q.send('good');
    q.send('bad');
    q.send('fine');
    jest.advanceTimersByTime(1);
    await flush();
    expect(seen.sort()).toEqual(['bad', 'fine', 'good']);
    expect(q.peek().map((m) => m.body)).toEqual(['bad']);
    q.stop();
  });

  it('delivers in its own async context, never in that of the handling that sent the message (no log keys leak)', async () => {
    const lines: LogFields[] = [];
    const log = scopedLog((_level, message, fields) => { lines.push({ ...fields, message }); });
    const q = new LocalQueue({ name: 'q', visibilityTimeoutMs: 60_000 });
    q.attach(async () => { log.info('consumed'); });
    // a request sends the message; its timer fires while the request's handling is still the context
    await logHandling({ requestId: 'req-1' }, async () => {
      q.send('m');
      log.info('sent');
      jest.advanceTimersByTime(1);
      await flush();
    });
    expect(lines).toEqual([{ message: 'sent', requestId: 'req-1' }, { message: 'consumed' }]);
    q.stop();
  });

  it('keeps every message of a batch whose consumer throws', async () => {
    const errors: unknown[] = [];
    const q = new LocalQueue({ name: 'q', visibilityTimeoutMs: 60_000, onError: (_q, e) => errors.push(e) });
    q.attach(async () => { throw new Error('crash'); });
    q.send('a');
    q.send('b');
    jest.advanceTimersByTime(1);
    await flush();
    expect(errors).toHaveLength(1);
    expect(q.depth).toBe(2);
    q.stop();
  });

  it('never runs more than maxConcurrency batches at once', async () => {
    let running = 0;
    let peak = 0;
    const release: (() => void)[] = [];
    const q = new LocalQueue({ name: 'q', visibilityTimeoutMs: 60_000, batchSize: 1, maxConcurrency: 2 });
    q.attach(async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise<void>((r) => release.push(r));
      running--;
    });
    for (let i = 0; i < 5; i++) q.send(String(i));
    jest.advanceTimersByTime(1);
    await flush();
    expect(running).toBe(2);
    while (release.length) { release.shift()!(); await flush(); jest.advanceTimersByTime(1); await flush(); }
    expect(peak).toBe(2);
    expect(q.depth).toBe(0);
    q.stop();
  });

  it('gives way to a busy front door: one batch at a time, with a pause after each, while yieldTo says so; full concurrency after', async () => {
    let busy = true;
    let running = 0;
    const release: (() => void)[] = [];
    const q = new LocalQueue({ name: 'q', visibilityTimeoutMs: 60_000, batchSize: 1, maxConcurrency: 4, yieldTo: () => busy });
    q.attach(async () => {
      running++;
      await new Promise<void>((r) => release.push(r));
      running--;
    });
    for (let i = 0; i < 6; i++) q.send(String(i));
    jest.advanceTimersByTime(1);
    await flush();
    expect(running).toBe(1);
    release.shift()!();
    await flush();
    expect(running).toBe(0); // still busy: a pause first
    jest.advanceTimersByTime(249);
    await flush();
    expect(running).toBe(0);
    jest.advanceTimersByTime(1);
    await flush();
    expect(running).toBe(1); // then the next batch only
    busy = false;
    release.shift()!();
    await flush();
    expect(running).toBe(4);
    while (release.length) { release.shift()!(); await flush(); jest.advanceTimersByTime(1); await flush(); }
    expect(q.depth).toBe(0);
    q.stop();
  });

  describe('against a reference model (fast-check)', () => {
    /**
     * The obvious implementation: every receive sorts the visible messages by visible time, ties in the order
     * they were last hidden or sent. The queue keeps a heap instead; the two must agree on every step.
     */
    class Model {
      private placed = 0;
      readonly messages = new Map<string, { visibleAt: number; receiveCount: number; placed: number }>();
      readonly dead: string[] = [];
      constructor(private readonly visibilityMs: number, private readonly maxReceiveCount: number) {}
      send(id: string, t: number, delayMs: number) { this.messages.set(id, { visibleAt: t + delayMs, receiveCount: 0, placed: this.placed++ }); }
      receive(t: number, max: number) {
        const visible = [...this.messages.entries()].filter(([, m]) => m.visibleAt <= t).sort(([, a], [, b]) => a.visibleAt - b.visibleAt || a.placed - b.placed);
        const out: [string, number][] = [];
        for (const [id, m] of visible) {
          if (out.length >= max) break;
          if (m.receiveCount >= this.maxReceiveCount) { this.messages.delete(id); this.dead.push(id); continue; }
          m.receiveCount++;
          m.visibleAt = t + this.visibilityMs;
          out.push([id, m.receiveCount]);
        }
        for (const [id] of out) this.messages.get(id)!.placed = this.placed++;
        return out;
      }
    }

    type Op = { kind: 'send'; delayMs: number } | { kind: 'receive'; max: number } | { kind: 'delete'; pick: number } | { kind: 'wait'; ms: number };
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ kind: fc.constant('send' as const), delayMs: fc.constantFrom(0, 0, 5, 20) }),
      fc.record({ kind: fc.constant('receive' as const), max: fc.integer({ min: 1, max: 4 }) }),
      fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant('wait' as const), ms: fc.constantFrom(1, 5, 10, 30) }),
    );

    it('receives the same messages, in the same order, with the same receive counts; dead-letters the same ones', () => {
      fc.assert(fc.property(fc.array(op, { maxLength: 300 }), fc.constantFrom(0, 10, 25), fc.constantFrom(8, 1024), (ops, visibilityMs, compactAt) => {
        let t = 0;
        let n = 0;
        const dlq = new LocalQueue({ name: 'dlq', visibilityTimeoutMs: 1000 }, () => t);
        const q = new LocalQueue({ name: 'q', visibilityTimeoutMs: visibilityMs, maxReceiveCount: 3, deadLetter: dlq, compactAt }, () => t);
        const model = new Model(visibilityMs, 3);
        const received: string[] = [];
        for (const o of ops) {
          if (o.kind === 'send') { const id = `m${n++}`; q.send(id, o.delayMs, id); model.send(id, t, o.delayMs); }
          if (o.kind === 'wait') t += o.ms;
          if (o.kind === 'receive') {
            const got = q.receive(o.max).map((r) => [r.messageId, Number(r.attributes.ApproximateReceiveCount)]);
            expect(got).toEqual(model.receive(t, o.max));
            received.push(...got.map(([id]) => id as string));
          }
          if (o.kind === 'delete' && received.length) {
            const id = received[o.pick % received.length]!;
            q.delete(id);
            model.messages.delete(id);
          }
          expect(q.depth).toBe(model.messages.size);
        }
        expect(dlq.peek().map((m) => m.messageId)).toEqual(model.dead);
      }), { numRuns: 300 });
    });

    it('keeps up with a backlog of 20,000: the heap is rebuilt as its slots go stale', () => {
      let t = 0;
      const q = new LocalQueue({ name: 'q', visibilityTimeoutMs: 60_000 }, () => t);
      for (let i = 0; i < 20_000; i++) q.send(String(i));
      let seen = 0;
      for (let batch = q.receive(10); batch.length; batch = q.receive(10)) {
        expect(batch[0]!.body).toBe(String(seen));
        seen += batch.length;
        for (const r of batch) q.delete(r.messageId);
        t++;
      }
      expect(seen).toBe(20_000);
      expect(q.depth).toBe(0);
    });
  });
});
