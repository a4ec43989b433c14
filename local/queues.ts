/**
 * In-process queues with the SQS semantics that matter to correctness: delivery delay, visibility
 * timeout, receive count, dead-letter queue after `maxReceiveCount`, and partial batch failures.
 * Messages live in memory: after a crash, the sweep (as in AWS) re-drives what was in flight.
 */
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { Heap } from 'heap-js';
import { AsyncResource } from 'node:async_hooks';
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
  /** The heap is rebuilt once it holds this many slots and four times as many as there are messages (default 1024). */
  compactAt?: number;
  /** Reports consumer crashes (the message stays and is received again after its visibility timeout). */
  onError?: (queue: string, err: unknown) => void;
}

interface Stored { id: string; body: string; receiveCount: number; visibleAt: number; sentAt: number; firstReceivedAt?: number; slot: number }

/** A message's place in the visibility order; stale once the message is gone or has been placed again. */
interface Slot { visibleAt: number; seq: number; message: Stored }

const bySlot = (a: Slot, b: Slot) => a.visibleAt - b.visibleAt || a.seq - b.seq;

export class LocalQueue {
  readonly name: string;
  private readonly messages = new Map<string, Stored>();
  /**
   * Every message's next visible time, earliest first, so send, receive and scheduling cost O(log n) with a
   * backlog of tens of thousands (a burst of webhooks). A message that is received or deleted leaves its old
   * slot behind; stale slots are skipped when they reach the top, and the heap is rebuilt when they pile up.
   */
  private readonly order = new Heap<Slot>(bySlot);
  private seq = 0;
  private consumer: SqsConsumer | undefined;
  private active = 0;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private stopped = false;
  /** While yielding: no batch starts before this time. */
  private pausedUntil = 0;
  private readonly idle = new Set<() => void>();
  private readonly running = new PendingWork();
  /**
   * Delivery runs in the queue's own async context, as a separate Lambda would, never in that of whoever sent
   * the message (a request being answered): no log keys of the sender's handling reach the consumer's lines.
   */
  private readonly pumpInOwnContext = AsyncResource.bind(() => this.pump());

  constructor(private readonly opts: LocalQueueOptions, private readonly now: () => number = Date.now) {
    this.name = opts.name;
  }

  /** `id`: SQS keeps a message's id when it moves it to the dead-letter queue. */
  send(body: string, delayMs = 0, id: string = randomUUID()): string {
    const t = this.now();
    const m: Stored = { id, body, receiveCount: 0, visibleAt: t + Math.max(0, delayMs), sentAt: t, slot: -1 };
    this.messages.set(id, m);
    this.place(m);
    this.schedule();
    return id;
  }

  /** Receives up to `max` visible messages, hiding each for the visibility timeout; over-received ones go to the DLQ. */
  receive(max: number): SQSRecord[] {
    const t = this.now();
    const out: SQSRecord[] = [];
    const hidden: Stored[] = [];
    for (let m = this.earliest(); m && m.visibleAt <= t && out.length < max; m = this.earliest()) {
      this.order.pop();
      if (this.opts.maxReceiveCount !== undefined && m.receiveCount >= this.opts.maxReceiveCount) {
        this.messages.delete(m.id);
        if (this.opts.deadLetter) this.opts.deadLetter.send(m.body, 0, m.id);
        continue;
      }
      m.receiveCount++;
      m.firstReceivedAt ??= t;
      m.visibleAt = t + this.opts.visibilityTimeoutMs;
      hidden.push(m);
      out.push(this.record(m));
    }
    for (const m of hidden) this.place(m);
    this.schedule();
    return out;
  }

  delete(messageId: string): void {
    this.messages.delete(messageId);
    this.compactIfStale();
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
    this.order.clear();
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
    let next = this.earliest()?.visibleAt ?? Infinity;
    if (next !== Infinity && this.pausedUntil > next && this.opts.yieldTo?.()) next = this.pausedUntil;
    if (next === Infinity) return;
    const delay = Math.max(0, next - this.now());
    if (this.timer && this.timerAt <= next) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = next;
    this.timer = setTimeout(() => { this.timer = undefined; this.timerAt = Infinity; this.pumpInOwnContext(); }, delay);
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

  private place(m: Stored): void {
    m.slot = this.seq++;
    this.order.push({ visibleAt: m.visibleAt, seq: m.slot, message: m });
  }

  /** The message that becomes visible first (dropping stale slots off the top); its slot stays in the heap. */
  private earliest(): Stored | undefined {
    for (let top = this.order.peek(); top; top = this.order.peek()) {
      if (this.isLive(top)) return top.message;
      this.order.pop();
    }
    return undefined;
  }

  /** Rebuilds the heap from the live messages once most of its slots are stale (deleted or hidden again). */
  private compactIfStale(): void {
    const size = this.order.size();
    if (size < (this.opts.compactAt ?? 1024) || size < 4 * this.messages.size) return;
    this.order.init(this.order.toArray().filter((s) => this.isLive(s)));
  }

  /** Whether a slot is its message's current place: the message is still queued and was not placed again since. */
  private isLive(s: Slot): boolean {
    return this.messages.get(s.message.id) === s.message && s.message.slot === s.seq;
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
    this.compactIfStale();
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
