/**
 * Known partner incidents on an escalation, in the pure core: which incidents are attached and how they
 * are kept up to date (mergeKnownIncidents), the timeline entry each suggestion derives, and what engineers
 * and customers see of them (engineerView, customerIncidentView).
 */
import { customerIncidentView, engineerView, type AttachedKnownIncident } from '../../core/escalation';
import { mergeKnownIncidents } from '../../core/known-incidents';
import type { KnownIncident } from '../../core/ports';
import { derivedTimeline } from '../../core/timeline';
import { draftEscalation } from '../support/fixtures';

const T0 = Date.parse('2030-03-01T10:00:00.000Z');
const at = (min: number) => new Date(T0 + min * 60_000);
const incident = (id: string, over: Partial<KnownIncident> = {}): KnownIncident => ({
  source: 'microsoft365', id, title: `Issue ${id}`, status: 'investigating', url: `https://admin.microsoft.com/#/servicehealth/:/alerts/${id}`,
  startedAt: at(-30).toISOString(), services: ['Microsoft Teams'], ...over,
});

describe('mergeKnownIncidents', () => {
  it('attaches active incidents as suggestions, at the time of the merge, and never a resolved one it did not have', () => {
    const m = mergeKnownIncidents([], [incident('TM1'), incident('TM2', { resolvedAt: at(-1).toISOString() })], at(0));
    expect(m.changed).toBe(true);
    expect(m.next.map((i) => [i.id, i.match, i.suggestedAt])).toEqual([['TM1', 'suggested', at(0).toISOString()]]);
    expect(m.suggested.map((i) => i.id)).toEqual(['TM1']);
    expect(m.next[0]).not.toHaveProperty('services');
  });

  it('changes nothing when the partner\'s fields are as attached', () => {
    const first = mergeKnownIncidents([], [incident('TM1')], at(0)).next;
    const again = mergeKnownIncidents(first, [incident('TM1')], at(5));
    expect(again).toEqual({ next: first, changed: false, suggested: [], resolvedConfirmed: [] });
  });

  it('brings an attached incident up to date and keeps the engineer\'s verdict; a confirmed one resolved is reported once', () => {
    const attached: AttachedKnownIncident[] = mergeKnownIncidents([], [incident('TM1'), incident('TM2')], at(0)).next
      .map((i) => ({ ...i, match: i.id === 'TM1' ? 'confirmed' : 'dismissed' }));
    const update = mergeKnownIncidents(attached, [incident('TM1', { status: 'serviceDegradation' })], at(1));
    expect(update.next.map((i) => [i.id, i.status, i.match])).toEqual([['TM1', 'serviceDegradation', 'confirmed'], ['TM2', 'investigating', 'dismissed']]);
    expect(update.resolvedConfirmed).toEqual([]);

    const resolvedAt = at(2).toISOString();
    const resolved = mergeKnownIncidents(update.next, [incident('TM1', { status: 'serviceRestored', resolvedAt }), incident('TM2', { resolvedAt })], at(2));
    expect(resolved.resolvedConfirmed.map((i) => [i.id, i.resolvedAt])).toEqual([['TM1', resolvedAt]]); // the dismissed one is no news
    expect(resolved.next.map((i) => [i.id, i.resolvedAt, i.suggestedAt])).toEqual([['TM1', resolvedAt, at(0).toISOString()], ['TM2', resolvedAt, at(0).toISOString()]]);
    expect(mergeKnownIncidents(resolved.next, [incident('TM1', { status: 'serviceRestored', resolvedAt })], at(3)).resolvedConfirmed).toEqual([]);
  });
});

describe('on the escalation', () => {
  const knownIncidents: AttachedKnownIncident[] = [
    { ...mergeKnownIncidents([], [incident('TM1')], at(0)).next[0]!, match: 'confirmed' },
    { ...mergeKnownIncidents([], [incident('TM2', { url: 'javascript:alert(1)' })], at(1)).next[0]!, match: 'suggested' },
    { ...mergeKnownIncidents([], [incident('TM3')], at(2)).next[0]!, match: 'dismissed' },
  ];
  const e = draftEscalation({ partnerId: 'microsoft', knownIncidents });

  it('each suggestion is one timeline entry, derived from the item (no write of its own)', () => {
    const entries = derivedTimeline(e).filter((d) => d.entry.type === 'known_incident_suggested');
    expect(entries.map((d) => [d.dedupeKey, d.entry.at, d.entry.actor, d.entry.detail])).toEqual(knownIncidents.map((i) => [
      `known-incident#${i.id}`, i.suggestedAt, 'partner:microsoft', { source: 'microsoft365', incidentId: i.id, title: i.title },
    ]));
  });

  it('engineers see every one with its match; customers the confirmed ones only, without a non-http(s) link', () => {
    expect(engineerView(e).knownIncidents.map((i) => [i.id, i.match, i.url?.slice(0, 5)])).toEqual([['TM1', 'confirmed', 'https'], ['TM2', 'suggested', undefined], ['TM3', 'dismissed', 'https']]);
    expect(customerIncidentView(e).knownIncidents).toEqual([{
      source: 'microsoft365', id: 'TM1', title: 'Issue TM1', status: 'investigating', url: incident('TM1').url, startedAt: incident('TM1').startedAt,
    }]);
    expect(customerIncidentView(draftEscalation({})).knownIncidents).toEqual([]);
  });
});
