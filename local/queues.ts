/**
 * In-process queues with the SQS semantics that matter to correctness: delivery delay, visibility
 * timeout, receive count, dead-letter queue after `maxReceiveCount`, and partial batch failures.
 * Messages live in memory: after a crash, the sweep (as in AWS) re-drives what was in flight.
 */
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import type { QueueMessage, WorkQueue } from '../core/ports';
import { PendingWork } from './pending-work';

export type SqsConsumer = (event: SQSEvent) => Promise<SQSBatchResponse | void>;

export interface LocalQueueOptions {
  name: string;
  visibilityTimeoutMs: number;
  maxReceiveCount?: number;
  batchSize?: number;
  maxConcurrency?: number;
  deadLetter?: LocalQueue;
  /**
   * While this answers true (the HTTP front door is under a burst), batches run one at a time, with a pause
   * of `yieldPauseMs` (default 250) after each: in AWS the consumers run on their own Lambda concurrency;
   * here they share one thread with the front door, so they give way, and catch up once the burst is answered.
   */
  yieldTo?: () => boolean;
  yieldPauseMs?: number;
  /** Reports consumer crashes (the message stays and is received again after its visibility timeout). */
  onError?: (queue: string, err: unknown) => void;
}

interface Stored { id: string; body: string; receiveCount: number; visibleAt: number; sentAt: number; firstReceivedAt?: number }

export class LocalQueue {
  readonly name: string;
  private readonly messages = new Map<string, Stored>();
  private consumer: SqsConsumer | undefined;
  private active = 0;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private stopped = false;
  /** While yielding: no batch starts before this time. */
  private pausedUntil = 0;
  private readonly idle = new Set<() => void>();
  private readonly running = new PendingWork();

  constructor(private readonly opts: LocalQueueOptions, private readonly now: () => number = Date.now) {
    this.name = opts.name;
  }

  /** `id`: SQS keeps a message's id when it moves it to the dead-letter queue. */
  send(body: string, delayMs = 0, id: string = randomUUID()): string {
    const t = this.now();
    this.messages.set(id, { id, body, receiveCount: 0, visibleAt: t + Math.max(0, delayMs), sentAt: t });
    this.schedule();
    return id;
  }

  /** Receives up to `max` visible messages, hiding each for the visibility timeout; over-received ones go to the DLQ. */
  receive(max: number): SQSRecord[] {
    const t = this.now();
    const out: SQSRecord[] = [];
    const visible = [...this.messages.values()].filter((m) => m.visibleAt <= t).sort((a, b) => a.visibleAt - b.visibleAt);
    for (const m of visible) {
      if (out.length >= max) break;
      if (this.opts.maxReceiveCount !== undefined && m.receiveCount >= this.opts.maxReceiveCount) {
        this.messages.delete(m.id);
        if (this.opts.deadLetter) this.opts.deadLetter.send(m.body, 0, m.id);
        continue;
      }
      m.receiveCount++;
      m.firstReceivedAt ??= t;
      m.visibleAt = t + this.opts.visibilityTimeoutMs;
      out.push(this.record(m));
    }
    this.schedule();
    return out;
  }

  delete(messageId: string): void {
    this.messages.delete(messageId);
    this.notifyIdle();
  }

  /** All messages, visible or not (for tests and the dead-letter tools). */
  peek(): { messageId: string; body: string; receiveCount: number }[] {
    return [...this.messages.values()].map((m) => ({ messageId: m.id, body: m.body, receiveCount: m.receiveCount }));
  }

  get depth(): number { return this.messages.size; }

  /** Removes and returns every message (for redrive). */
  drain(): { messageId: string; body: string }[] {
    const all = [...this.messages.values()].map((m) => ({ messageId: m.id, body: m.body }));
    this.messages.clear();
    this.notifyIdle();
    return all;
  }

  /** Starts delivering messages to `consumer`, in batches, with at most `maxConcurrency` batches at once. */
  attach(consumer: SqsConsumer): void {
    this.consumer = consumer;
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Resolves once no batch is being processed (after `stop`, none starts again). */
  settled(limitMs?: number): Promise<boolean> {
    return this.running.settled(limitMs);
  }

  /** Resolves once the queue is empty and nothing is being processed. */
  drained(): Promise<void> {
    if (this.messages.size === 0 && this.active === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.add(resolve));
  }

  private notifyIdle() {
    if (this.messages.size === 0 && this.active === 0) {
      for (const r of this.idle) r();
      this.idle.clear();
    }
  }

  private schedule(): void {
    if (!this.consumer || this.stopped) return;
    let next = Infinity;
    for (const m of this.messages.values()) next = Math.min(next, m.visibleAt);
    if (next !== Infinity && this.pausedUntil > next && this.opts.yieldTo?.()) next = this.pausedUntil;
    if (next === Infinity) return;
    const delay = Math.max(0, next - this.now());
    if (this.timer && this.timerAt <= next) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = next;
    this.timer = setTimeout(() => { this.timer = undefined; this.timerAt = Infinity; this.pump(); }, delay);
    this.timer.unref?.();
  }

  private pump(): void {
    const max = () => {
      if (!this.opts.yieldTo?.()) return this.opts.maxConcurrency ?? 5;
      return this.now() < this.pausedUntil ? 0 : 1;
    };
    while (!this.stopped && this.consumer && this.active < max()) {
      const batch = this.receive(this.opts.batchSize ?? 10);
      if (batch.length === 0) break;
      this.active++;
      void this.running.track(this.invoke(this.consumer, batch)).finally(() => {
        this.active--;
        if (this.opts.yieldTo?.()) this.pausedUntil = this.now() + (this.opts.yieldPauseMs ?? 250);
        this.notifyIdle();
        this.pump();
      });
    }
    this.schedule();
  }

  private async invoke(consumer: SqsConsumer, batch: SQSRecord[]): Promise<void> {
    let failed: Set<string>;
    try {
      const r = await consumer({ Records: batch });
      failed = new Set((r?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    } catch (err) {
      // the whole batch failed: every message comes back after its visibility timeout
      this.opts.onError?.(this.name, err);
      return;
    }
    for (const rec of batch) if (!failed.has(rec.messageId)) this.messages.delete(rec.messageId);
  }

  private record(m: Stored): SQSRecord {
    return {
      messageId: m.id,
      receiptHandle: `${m.id}:${m.receiveCount}`,
      body: m.body,
      attributes: {
        ApproximateReceiveCount: String(m.receiveCount),
        SentTimestamp: String(m.sentAt),
        SenderId: 'local',
        ApproximateFirstReceiveTimestamp: String(m.firstReceivedAt ?? m.sentAt),
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: `arn:aws:sqs:local:000000000000:${this.name}`,
      awsRegion: 'local',
    };
  }
}

/** The WorkQueue port over named local queues. */
export class LocalWorkQueue implements WorkQueue {
  constructor(private readonly queues: ReadonlyMap<string, LocalQueue>) {}
  async send(m: QueueMessage): Promise<void> {
    const q = this.queues.get(m.queue);
    if (!q) throw new Error(`no local queue ${m.queue}`);
    q.send(JSON.stringify(m.body), m.delayMs);
  }
}
