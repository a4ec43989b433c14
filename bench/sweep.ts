/**
 * Scenario 5, scale of the sweeps: the aging sweep (`runSchedule('sweep')`, the scheduled function as
 * wired in the local runtime) with 100 open escalations, all past their partner-update deadline, and first
 * 0 then `closed` (default 100,000) closed escalations in the table. Items read are counted by the SDK
 * middleware (Query ScannedCount, GetItem hits). Before each run the open ones are made due again (their
 * aging marks cleared), so every run does the same work.
 *
 * Closed history is written with BatchWriteItem (25 items per request, several requests at once) in the
 * shape the store writes: the escalation item (with the customer index, without the open-work index
 * attributes, as a closed escalation has none) and its case item.
 */
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Escalation } from '../core/escalation';
import { LOCAL_TABLE } from '../local/dynamo';
import { attachDynamoMeter } from './dynamo-meter';
import { PARTNER_ID, PLATFORM, startBenchHub, type BenchHub } from './hub';
import { median, pool, round } from './stats';

const FINDINGS = 'Device logs show the media relay closing sessions after 30 s; reproduced on firmware 4.1.0 in two rooms.';

function escalation(id: string, status: Escalation['status'], at: Date, over: Partial<Escalation> = {}): Escalation {
  const iso = at.toISOString();
  return {
    escalationId: id, caseId: `CASE-${id}`, customerId: `cust-${id.length % 50}`, partnerId: PARTNER_ID, partnerName: 'Bench Cloud',
    platform: PLATFORM, status, severity: 'high', summary: `Audio drops in rooms after policy change (${id})`, customerSummary: null,
    product: null, partnerTicket: { id: `T-${id}`, number: `BENC-${id}`, url: `http://127.0.0.1/_sandbox/incidents/T-${id}` }, referral: null,
    createdAt: iso, updatedAt: iso, createdBy: 'bench-engineer', openedAt: iso, partnerUpdatedAt: iso, partnerUpdateRank: 1,
    attempts: 1, nextAttemptAt: null, leaseUntil: null, redrivenAt: null, ticketMode: 'api', lastError: null,
    ticketDueBy: null, updateDueBy: null, agedFor: [], version: 4, ...over,
  };
}

export interface SweepMeasure { closed: number; runs: number; msMedian: number; msMax: number; indexItemsRead: number; itemsRead: number; readOps: number; readUnits: number; escalationsAged: number }
export interface SweepResult { open: number; withoutHistory: SweepMeasure; withHistory: SweepMeasure; loadSeconds: number; itemsWrittenPerSecond: number }

async function measure(b: BenchHub, ids: string[], closed: number, runs: number): Promise<SweepMeasure> {
  const store = b.hub.deps.store;
  const meter = attachDynamoMeter(b.db, { capacity: true });
  const samples: { ms: number; index: number; items: number; ops: number; units: number; aged: number }[] = [];
  try {
    for (let r = 0; r < runs; r++) {
      await pool(ids, 16, async (id) => { // due again: clear the aging marks
        const e = (await store.getEscalation(id))!;
        await store.saveEscalation({ ...e, agedFor: [], version: e.version + 1 });
      });
      meter.take();
      const t = performance.now();
      const res = (await b.hub.runSchedule('sweep')) as { aged: number };
      const ms = performance.now() - t;
      const c = meter.take();
      const queryScanned = c.itemsRead - (c.ops.GetItemCommand ?? 0);
      samples.push({ ms, index: queryScanned, items: c.itemsRead, ops: c.readOps, units: c.readUnits, aged: res.aged });
    }
  } finally {
    meter.stop();
  }
  const mid = samples[Math.floor(samples.length / 2)]!;
  return {
    closed, runs, msMedian: round(median(samples.map((s) => s.ms)), 1), msMax: round(Math.max(...samples.map((s) => s.ms)), 1),
    indexItemsRead: mid.index, itemsRead: mid.items, readOps: mid.ops, readUnits: mid.units, escalationsAged: mid.aged,
  };
}

export async function runSweep(opts: { closed: number; runs: number; open?: number; onProgress?: (msg: string) => void }): Promise<SweepResult> {
  const open = opts.open ?? 100;
  const b = await startBenchHub();
  try {
    const now = Date.now();
    const ids = Array.from({ length: open }, (_, i) => `open${i}`);
    for (const id of ids) {
      const e = escalation(id, 'open', new Date(now - 2 * 86_400_000), { updateDueBy: new Date(now - 60_000).toISOString(), version: 1 });
      await b.hub.deps.store.createEscalation(e, { findings: FINDINGS, customerContact: null });
    }
    const withoutHistory = await measure(b, ids, 0, opts.runs);

    const t = performance.now();
    const batches = Math.ceil(opts.closed / 12); // 12 closed escalations (24 items) per BatchWriteItem
    let written = 0;
    await pool(Array.from({ length: batches }, (_, i) => i), 8, async (batch) => {
      const items: Record<string, unknown>[] = [];
      for (let k = batch * 12; k < Math.min(opts.closed, (batch + 1) * 12); k++) {
        const e = escalation(`closed${k}`, 'closed', new Date(now - 30 * 86_400_000 + k * 1000));
        items.push({ PK: `ESC#${e.escalationId}`, SK: 'META', type: 'escalation', ...e });
        items.push({ PK: `CASE#${e.caseId}`, SK: `PARTNER#${e.partnerId}`, type: 'case', escalationId: e.escalationId, draft: { ...e, status: 'requested', version: 1 }, findings: FINDINGS, customerContact: null });
      }
      let request: Record<string, { PutRequest: { Item: Record<string, unknown> } }[]> | undefined = { [LOCAL_TABLE]: items.map((Item) => ({ PutRequest: { Item } })) };
      while (request && Object.keys(request).length) {
        const r = await b.db.send(new BatchWriteCommand({ RequestItems: request }));
        request = r.UnprocessedItems as typeof request;
      }
      written += items.length;
      if (batch % 1000 === 0) opts.onProgress?.(`  closed history: ${written} items written`);
    });
    const loadSeconds = (performance.now() - t) / 1000;
    const withHistory = await measure(b, ids, opts.closed, opts.runs);
    return { open, withoutHistory, withHistory, loadSeconds: round(loadSeconds, 1), itemsWrittenPerSecond: round(written / loadSeconds, 0) };
  } finally {
    await b.stop();
  }
}
