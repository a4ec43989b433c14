import fc from 'fast-check';
import {
  decidePartnerUpdate, dueAt, PARTNER_CLOCK_SKEW_MS, PARTNER_STATUSES, rankOf, type Escalation, type PartnerStatus, type PartnerUpdate,
} from '../../core/escalation';

type Tracked = Pick<Escalation, 'status' | 'partnerUpdatedAt' | 'partnerUpdateRank'>;
const opened: Tracked = { status: 'open', partnerUpdatedAt: null, partnerUpdateRank: 0 };

function apply(state: Tracked, u: PartnerUpdate): Tracked {
  const d = decidePartnerUpdate(state, u, NOW);
  return d.apply ? { status: d.status, partnerUpdatedAt: u.updatedAt, partnerUpdateRank: rankOf(u.status) } : state;
}

/** The hub's clock in these tests: after every update time they use. */
const NOW = new Date(Date.UTC(2026, 10, 25, 11, 0, 0));
const at = (s: number) => new Date(Date.UTC(2026, 10, 25, 10, 0, s)).toISOString();
const upd = (status: PartnerStatus, s: number): PartnerUpdate => ({ status, partnerStatus: status, updatedAt: at(s) });

describe('partner updates and the escalation state machine', () => {
  it('applies a newer update and ignores an older one arriving late', () => {
    let s = apply(opened, upd('in_progress', 10));
    s = apply(s, upd('resolved', 30));
    expect(s.status).toBe('resolved');
    expect(decidePartnerUpdate(s, upd('awaiting_info', 20), NOW)).toEqual({ apply: false, reason: 'stale' });
    expect(apply(s, upd('awaiting_info', 20)).status).toBe('resolved');
  });

  it('lets a newer update reopen a resolved escalation', () => {
    const s = apply(apply(opened, upd('resolved', 10)), upd('in_progress', 20));
    expect(s.status).toBe('in_progress');
  });

  it('never changes referred or cancelled escalations, and waits for the ticket while requested', () => {
    for (const status of ['referred', 'cancelled'] as const) {
      expect(decidePartnerUpdate({ ...opened, status }, upd('in_progress', 1), NOW)).toEqual({ apply: false, reason: 'terminal' });
    }
    expect(decidePartnerUpdate({ ...opened, status: 'requested' }, upd('in_progress', 1), NOW)).toEqual({ apply: false, reason: 'not_open_yet' });
  });

  it('ends the escalation as referred when the partner refuses it; nothing the partner sends after moves it', () => {
    const accepted = apply(opened, upd('in_progress', 10));
    const refused = { ...upd('closed', 20), partnerStatus: 'REJECTED', refusal: 'End customer does not have support' };
    expect(decidePartnerUpdate(accepted, refused, NOW)).toEqual({ apply: true, status: 'referred', reason: 'applied' });
    const s = apply(accepted, refused);
    expect(s.status).toBe('referred');
    // an older update arriving late, and a later one (the receiver closes its rejected request)
    for (const late of [upd('in_progress', 15), upd('closed', 40)]) expect(decidePartnerUpdate(s, late, NOW)).toEqual({ apply: false, reason: 'terminal' });
    // a refusal older than the state applied is stale like any other update
    expect(decidePartnerUpdate(apply(accepted, upd('closed', 30)), refused, NOW)).toEqual({ apply: false, reason: 'stale' });
  });

  it('refuses an update dated beyond the allowed skew of the clock, and is not locked by one stored before', () => {
    const far = { status: 'resolved' as const, partnerStatus: 'solved', updatedAt: '+275760-09-13T00:00:00.000Z' };
    expect(decidePartnerUpdate(opened, far, NOW)).toEqual({ apply: false, reason: 'future' });
    const justAhead = { ...far, updatedAt: new Date(NOW.getTime() + PARTNER_CLOCK_SKEW_MS).toISOString() };
    expect(decidePartnerUpdate(opened, justAhead, NOW).apply).toBe(true);
    expect(decidePartnerUpdate(opened, { ...far, updatedAt: new Date(NOW.getTime() + PARTNER_CLOCK_SKEW_MS + 1).toISOString() }, NOW)).toEqual({ apply: false, reason: 'future' });
    expect(decidePartnerUpdate(opened, { ...far, updatedAt: 'not a time' }, NOW)).toEqual({ apply: false, reason: 'future' });
    // locked by a far-future time written before this rule: a real update applies again
    const locked: Tracked = { status: 'resolved', partnerUpdatedAt: far.updatedAt, partnerUpdateRank: 4 };
    expect(decidePartnerUpdate(locked, upd('in_progress', 10), NOW)).toEqual({ apply: true, status: 'in_progress', reason: 'applied' });
  });

  it('treats the same update delivered twice as stale the second time', () => {
    const s = apply(opened, upd('in_progress', 5));
    expect(decidePartnerUpdate(s, upd('in_progress', 5), NOW).apply).toBe(false);
  });

  it('property: whatever the order (and duplicates), the state ends on the newest update, never an older one', () => {
    const update = fc.record({ status: fc.constantFrom(...PARTNER_STATUSES), s: fc.integer({ min: 0, max: 50 }) });
    fc.assert(fc.property(fc.array(update, { minLength: 1, maxLength: 12 }), fc.infiniteStream(fc.nat()), (raw, picks) => {
      const updates = raw.map((r) => upd(r.status, r.s));
      // a random delivery order, with some updates delivered twice
      const order = [...updates, ...updates.filter((_, i) => i % 3 === 0)];
      const it = picks[Symbol.iterator]();
      for (let i = order.length - 1; i > 0; i--) {
        const j = (it.next().value as number) % (i + 1);
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
      let s = opened;
      let newestApplied: PartnerUpdate | undefined;
      for (const u of order) {
        const before = s;
        s = apply(s, u);
        if (s !== before) {
          // never moves to an update older than the one applied before it
          if (newestApplied) expect(Date.parse(u.updatedAt)).toBeGreaterThanOrEqual(Date.parse(newestApplied.updatedAt));
          newestApplied = u;
        }
      }
      const newest = [...updates].sort((a, b) => Date.parse(a.updatedAt) - Date.parse(b.updatedAt) || rankOf(a.status) - rankOf(b.status)).at(-1)!;
      expect(s.status).toBe(newest.status);
      expect(s.partnerUpdatedAt).toBe(newest.updatedAt);
    }), { numRuns: 500 });
  });
});

describe('the open-work index', () => {
  const base = { status: 'requested' as const, createdAt: at(0), nextAttemptAt: null, leaseUntil: null, redrivenAt: null };
  it('keeps requested escalations due after the latest of their times plus grace', () => {
    expect(dueAt(base, 1000)).toBe(at(1));
    expect(dueAt({ ...base, nextAttemptAt: at(30), leaseUntil: at(10) }, 1000)).toBe(at(31));
    expect(dueAt({ ...base, redrivenAt: at(40) }, 0)).toBe(at(40));
  });
  it('drops everything else from the index', () => {
    for (const status of ['open', 'in_progress', 'resolved', 'closed', 'referred', 'cancelled'] as const) {
      expect(dueAt({ ...base, status })).toBeNull();
    }
  });
});
