import { powertoolsMetrics } from '../../functions/adapters/metrics';

describe('Powertools metrics adapter', () => {
  it('writes CloudWatch EMF records with the partner dimension', () => {
    const lines: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => { lines.push(String(chunk)); return true; });
    try {
      const m = powertoolsMetrics('TestNamespace');
      m.count('EscalationsOpened', 'microsoft');
      m.partnerLatency('zoom', 'open', 123, false);
    } finally {
      spy.mockRestore();
    }
    const records = lines.join('').split('\n').filter((l) => l.includes('_aws')).map((l) => JSON.parse(l));
    expect(records).toHaveLength(2);
    expect(records[0]).toMatchObject({ partnerId: 'microsoft', EscalationsOpened: 1 });
    expect(records[0]._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: 'TestNamespace', Metrics: [{ Name: 'EscalationsOpened', Unit: 'Count' }] });
    expect(records[1]).toMatchObject({ partnerId: 'zoom', operation: 'open', outcome: 'error', PartnerCallLatency: 123 });
  });

  it('writes HubProblems per partner and once with the service dimension only, the series the alarm watches', () => {
    const lines: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => { lines.push(String(chunk)); return true; });
    try {
      powertoolsMetrics('TestNamespace').count('HubProblems', 'microsoft');
    } finally {
      spy.mockRestore();
    }
    const records = lines.join('').split('\n').filter((l) => l.includes('_aws')).map((l) => JSON.parse(l));
    expect(records).toHaveLength(2);
    expect(records[0]).toMatchObject({ partnerId: 'microsoft', HubProblems: 1 });
    expect(records[1]).toMatchObject({ service: 'partner-escalation-hub', HubProblems: 1 });
    expect(records[1].partnerId).toBeUndefined();
    expect(records[1]._aws.CloudWatchMetrics[0].Dimensions).toEqual([['service']]);
  });
});
