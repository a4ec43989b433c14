/**
 * EventBridge event-pattern matching (local/event-pattern.ts).
 * Test vectors come from the EventBridge user guide ("Event patterns", "Content filtering",
 * "Arrays in event patterns", "Null values and empty strings", comparison operators) and the
 * Event Ruler README that documents the same engine; edge cases follow the documented rules.
 */
import { matchesPattern, validatePattern, type EventPattern } from '../../local/event-pattern';

type Event = Record<string, unknown>;

/** The EC2 state-change event from the user guide's "Event patterns" page. */
const ec2Terminated: Event = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '111122223333',
  time: '2017-12-22T18:43:48Z',
  region: 'us-west-1',
  resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
  detail: { 'instance-id': 'i-1234567890abcdef0', state: 'terminated' },
};

/** The example event used throughout the content-filtering examples (Event Ruler README). */
const ec2Running: Event = {
  version: '0',
  id: 'ddddd4-aaaa-7777-4444-345dd43cc333',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '012345679012',
  time: '2017-10-02T16:24:49Z',
  region: 'us-east-1',
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'],
  detail: {
    'c-count': 5,
    'd-count': 3,
    'x-limit': 301.8,
    'source-ip': '10.0.0.33',
    'instance-id': 'i-000000aaaaaa00000',
    state: 'running',
  },
};

/** Copy of `event` with `detail` fields replaced/added. */
const withDetail = (event: Event, detail: Record<string, unknown>): Event => ({
  ...event,
  detail: { ...(event.detail as Record<string, unknown>), ...detail },
});

const detailOnly = (detail: Record<string, unknown>): Event => ({ source: 'test', 'detail-type': 'T', detail });

describe('event patterns: the basics from the user guide', () => {
  const terminations: EventPattern = {
    source: ['aws.ec2'],
    'detail-type': ['EC2 Instance State-change Notification'],
    detail: { state: ['terminated'] },
  };

  it('matches the EC2 instance-termination example and ignores fields the pattern does not name', () => {
    expect(matchesPattern(terminations, ec2Terminated)).toBe(true);
  });

  it('requires every named field to match (AND across fields)', () => {
    expect(matchesPattern(terminations, withDetail(ec2Terminated, { state: 'running' }))).toBe(false);
    expect(matchesPattern(terminations, { ...ec2Terminated, source: 'aws.s3' })).toBe(false);
  });

  it('treats the values in a leaf array as alternatives (OR)', () => {
    const pattern = { source: ['aws.ec2', 'aws.fargate'] };
    expect(matchesPattern(pattern, ec2Terminated)).toBe(true);
    expect(matchesPattern(pattern, { ...ec2Terminated, source: 'aws.fargate' })).toBe(true);
    expect(matchesPattern(pattern, { ...ec2Terminated, source: 'aws.s3' })).toBe(false);
  });

  it('is case-sensitive for exact strings', () => {
    expect(matchesPattern({ detail: { state: ['Terminated'] } }, ec2Terminated)).toBe(false);
  });

  it('matches the "simple matching" rule with resources, detail-type and a list of states', () => {
    const pattern = {
      'detail-type': ['EC2 Instance State-change Notification'],
      resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'],
      detail: { state: ['initializing', 'running'] },
    };
    expect(matchesPattern(pattern, ec2Running)).toBe(true);
    expect(matchesPattern(pattern, withDetail(ec2Running, { state: 'initializing' }))).toBe(true);
    expect(matchesPattern(pattern, withDetail(ec2Running, { state: 'stopped' }))).toBe(false);
  });
});

describe('null values and empty strings (user guide example)', () => {
  const event: Event = {
    version: '0',
    id: '3e3c153a-8339-4e30-8c35-687ebef853fe',
    'detail-type': 'EC2 Instance Launch Successful',
    source: 'aws.autoscaling',
    account: '123456789012',
    time: '2015-11-11T21:31:47Z',
    region: 'us-east-1',
    resources: [],
    detail: { eventVersion: '', responseElements: null },
  };

  it('matches an empty string with [""] and a null with [null]', () => {
    expect(matchesPattern({ detail: { eventVersion: [''] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { responseElements: [null] } }, event)).toBe(true);
  });

  it('does not treat null and the empty string as interchangeable', () => {
    expect(matchesPattern({ detail: { responseElements: [''] } }, event)).toBe(false);
    expect(matchesPattern({ detail: { eventVersion: [null] } }, event)).toBe(false);
  });

  it('counts a null value as present for exists', () => {
    expect(matchesPattern({ detail: { responseElements: [{ exists: true }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { responseElements: [{ exists: false }] } }, event)).toBe(false);
  });
});

describe('value types', () => {
  it.each([
    ['number pattern vs string event', [5], '5'],
    ['string pattern vs number event', ['5'], 5],
    ['boolean pattern vs string event', [true], 'true'],
    ['string pattern vs boolean event', ['true'], true],
    ['null pattern vs string event', [null], 'null'],
    ['false pattern vs 0', [false], 0],
  ])('never equates values of different JSON types (%s)', (_name, leaf, value) => {
    expect(matchesPattern({ detail: { v: leaf } }, detailOnly({ v: value }))).toBe(false);
  });

  it('matches numbers by value, whatever notation the pattern uses', () => {
    expect(matchesPattern({ detail: { v: [3.018e2] } }, detailOnly({ v: 301.8 }))).toBe(true);
    expect(matchesPattern({ detail: { v: [300] } }, detailOnly({ v: 3.0e2 }))).toBe(true);
    expect(matchesPattern({ detail: { v: [300] } }, detailOnly({ v: 300.5 }))).toBe(false);
  });

  it('matches booleans exactly', () => {
    expect(matchesPattern({ detail: { flag: [true] } }, detailOnly({ flag: true }))).toBe(true);
    expect(matchesPattern({ detail: { flag: [true] } }, detailOnly({ flag: false }))).toBe(false);
  });

  it('matches the event in its JSON form (Dates become ISO strings, undefined members disappear)', () => {
    const event = detailOnly({ at: new Date('2017-10-02T16:24:49Z'), gone: undefined });
    expect(matchesPattern({ detail: { at: [{ prefix: '2017-10-02T' }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { gone: [{ exists: false }] } }, event)).toBe(true);
  });
});

describe('absent fields', () => {
  it.each<[string, unknown[]]>([
    ['an exact value', ['running']],
    ['null', [null]],
    ['the empty string', ['']],
    ['prefix', [{ prefix: '' }]],
    ['suffix', [{ suffix: 'x' }]],
    ['anything-but', [{ 'anything-but': 'stopped' }]],
    ['anything-but a list', [{ 'anything-but': ['stopped', 'overloaded'] }]],
    ['anything-but prefix', [{ 'anything-but': { prefix: 'init' } }]],
    ['numeric', [{ numeric: ['>=', 0] }]],
    ['equals-ignore-case', [{ 'equals-ignore-case': 'x' }]],
    ['wildcard *', [{ wildcard: '*' }]],
    ['exists: true', [{ exists: true }]],
  ])('do not match %s', (_name, leaf) => {
    expect(matchesPattern({ detail: { missing: leaf } }, ec2Running)).toBe(false);
  });

  it('match { exists: false }', () => {
    expect(matchesPattern({ detail: { missing: [{ exists: false }] } }, ec2Running)).toBe(true);
  });

  it('match an alternative list that includes { exists: false }', () => {
    const pattern = { detail: { priority: ['high', { exists: false }] } };
    expect(matchesPattern(pattern, detailOnly({}))).toBe(true);
    expect(matchesPattern(pattern, detailOnly({ priority: 'high' }))).toBe(true);
    expect(matchesPattern(pattern, detailOnly({ priority: 'low' }))).toBe(false);
  });

  it('do not match when a whole parent object is missing or is not an object', () => {
    expect(matchesPattern({ detail: { state: ['running'] } }, { source: 'aws.ec2' })).toBe(false);
    expect(matchesPattern({ detail: { state: ['running'] } }, { detail: 'running' })).toBe(false);
    expect(matchesPattern({ detail: { state: [{ exists: false }] } }, { source: 'aws.ec2' })).toBe(true);
  });
});

describe('exists matching (user guide examples)', () => {
  const hasState: EventPattern = { detail: { state: [{ exists: true }] } };
  const noCCount: EventPattern = { detail: { 'c-count': [{ exists: false }] } };
  const pending: Event = {
    version: '0',
    id: '7bf73129-1428-4cd3-a780-95db273d1602',
    'detail-type': 'EC2 Instance State-change Notification',
    source: 'aws.ec2',
    account: '123456789012',
    time: '2015-11-11T21:29:54Z',
    region: 'us-east-1',
    resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111'],
    detail: { 'instance-id': 'i-abcd1111', state: 'pending' },
  };
  const cCountObject: Event = {
    'detail-type': 'EC2 Instance State-change Notification',
    resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-02ebd4584a2ebd341'],
    detail: { 'c-count': { c1: 100 } },
  };

  it('{ exists: true } matches an event that has detail.state', () => {
    expect(matchesPattern(hasState, pending)).toBe(true);
  });

  it('{ exists: true } does not match an event without detail.state', () => {
    expect(matchesPattern(hasState, cCountObject)).toBe(false);
  });

  it('{ exists: false } matches an event without detail.c-count', () => {
    expect(matchesPattern(noCCount, pending)).toBe(true);
    expect(matchesPattern(noCCount, ec2Running)).toBe(false);
  });

  it('only looks at leaf nodes: an object-valued c-count counts as absent', () => {
    expect(matchesPattern(noCCount, cCountObject)).toBe(true);
    expect(matchesPattern({ detail: { 'c-count': [{ exists: true }] } }, cCountObject)).toBe(false);
    expect(matchesPattern({ detail: { 'c-count': { c1: [{ exists: true }] } } }, cCountObject)).toBe(true);
  });

  it('treats an empty array as having no leaf values', () => {
    const event = detailOnly({ tags: [] });
    expect(matchesPattern({ detail: { tags: [{ exists: false }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { tags: [{ exists: true }] } }, event)).toBe(false);
  });
});

describe('prefix, suffix, equals-ignore-case and wildcard', () => {
  it('prefix: the time example from the user guide', () => {
    const pattern = { time: [{ prefix: '2017-10-02' }] };
    expect(matchesPattern(pattern, ec2Running)).toBe(true);
    expect(matchesPattern(pattern, ec2Terminated)).toBe(false);
  });

  it('prefix: Auto Scaling events from European regions', () => {
    const pattern = { source: ['aws.autoscaling'], region: [{ prefix: 'eu-' }] };
    expect(matchesPattern(pattern, { source: 'aws.autoscaling', region: 'eu-west-1' })).toBe(true);
    expect(matchesPattern(pattern, { source: 'aws.autoscaling', region: 'us-east-1' })).toBe(false);
  });

  it('prefix and suffix only apply to strings', () => {
    expect(matchesPattern({ detail: { n: [{ prefix: '12' }] } }, detailOnly({ n: 123 }))).toBe(false);
    expect(matchesPattern({ detail: { n: [{ suffix: '23' }] } }, detailOnly({ n: 123 }))).toBe(false);
    expect(matchesPattern({ detail: { n: [{ prefix: '12' }] } }, detailOnly({ n: '123' }))).toBe(true);
  });

  it('prefix with equals-ignore-case (service starting with "EventB" in any case)', () => {
    const pattern = { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } };
    for (const service of ['EventBridge', 'eventbridge', 'EVENTBRIDGE', 'eVeNtB']) {
      expect(matchesPattern(pattern, detailOnly({ service }))).toBe(true);
    }
    expect(matchesPattern(pattern, detailOnly({ service: 'Event' }))).toBe(false);
  });

  it('suffix, and suffix with equals-ignore-case (.png files)', () => {
    const exactCase = { detail: { FileName: [{ suffix: '.png' }] } };
    const anyCase = { detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } };
    expect(matchesPattern(exactCase, detailOnly({ FileName: 'photo.png' }))).toBe(true);
    expect(matchesPattern(exactCase, detailOnly({ FileName: 'photo.PNG' }))).toBe(false);
    expect(matchesPattern(anyCase, detailOnly({ FileName: 'photo.PNG' }))).toBe(true);
    expect(matchesPattern(anyCase, detailOnly({ FileName: 'photo.jpg' }))).toBe(false);
  });

  it('equals-ignore-case: Name is "alice" in any case', () => {
    const pattern = { detail: { Name: [{ 'equals-ignore-case': 'alice' }] } };
    expect(matchesPattern(pattern, detailOnly({ Name: 'Alice' }))).toBe(true);
    expect(matchesPattern(pattern, detailOnly({ Name: 'ALICE' }))).toBe(true);
    expect(matchesPattern(pattern, detailOnly({ Name: 'Alicia' }))).toBe(false);
  });

  it('wildcard: "Simple*Service"', () => {
    const pattern = { source: [{ wildcard: 'Simple*Service' }] };
    expect(matchesPattern(pattern, { source: 'SimpleService' })).toBe(true);
    expect(matchesPattern(pattern, { source: 'SimpleNotificationService' })).toBe(true);
    expect(matchesPattern(pattern, { source: 'SimpleServices' })).toBe(false);
    expect(matchesPattern(pattern, { source: 'ASimpleService' })).toBe(false);
  });

  it('wildcard: several wildcards, regex metacharacters taken literally, and escaped \\* and \\\\', () => {
    expect(matchesPattern({ detail: { p: [{ wildcard: '*/lib/*.js' }] } }, detailOnly({ p: 'src/lib/a.js' }))).toBe(true);
    expect(matchesPattern({ detail: { p: [{ wildcard: '*/lib/*.js' }] } }, detailOnly({ p: 'src/lib/ajs' }))).toBe(false);
    expect(matchesPattern({ detail: { p: [{ wildcard: 'a.b(c)*' }] } }, detailOnly({ p: 'a.b(c)d' }))).toBe(true);
    expect(matchesPattern({ detail: { p: [{ wildcard: 'a.b(c)*' }] } }, detailOnly({ p: 'aXb(c)d' }))).toBe(false);
    expect(matchesPattern({ detail: { p: [{ wildcard: 'ab\\*' }] } }, detailOnly({ p: 'ab*' }))).toBe(true);
    expect(matchesPattern({ detail: { p: [{ wildcard: 'ab\\*' }] } }, detailOnly({ p: 'abc' }))).toBe(false);
    expect(matchesPattern({ detail: { p: [{ wildcard: 'a\\\\*' }] } }, detailOnly({ p: 'a\\bc' }))).toBe(true);
    expect(matchesPattern({ detail: { p: [{ wildcard: '*' }] } }, detailOnly({ p: '' }))).toBe(true);
    expect(matchesPattern({ detail: { p: [{ wildcard: '*' }] } }, detailOnly({ p: 7 }))).toBe(false);
  });

  it('wildcard: * spans newlines', () => {
    expect(matchesPattern({ detail: { p: [{ wildcard: 'a*b' }] } }, detailOnly({ p: 'a\nb' }))).toBe(true);
  });
});

describe('anything-but matching', () => {
  it('a single string (state is anything but initializing)', () => {
    const pattern = { detail: { state: [{ 'anything-but': 'initializing' }] } };
    expect(matchesPattern(pattern, ec2Running)).toBe(true);
    expect(matchesPattern(pattern, withDetail(ec2Running, { state: 'initializing' }))).toBe(false);
  });

  it('a single number (x-limit is anything but 123)', () => {
    const pattern = { detail: { 'x-limit': [{ 'anything-but': 123 }] } };
    expect(matchesPattern(pattern, ec2Running)).toBe(true);
    expect(matchesPattern(pattern, withDetail(ec2Running, { 'x-limit': 123 }))).toBe(false);
  });

  it('a list of strings (state is neither stopped nor overloaded)', () => {
    const pattern = { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } };
    expect(matchesPattern(pattern, ec2Running)).toBe(true);
    expect(matchesPattern(pattern, withDetail(ec2Running, { state: 'stopped' }))).toBe(false);
    expect(matchesPattern(pattern, withDetail(ec2Running, { state: 'overloaded' }))).toBe(false);
  });

  it('a list of numbers (x-limit is none of 100, 200, 300)', () => {
    const pattern = { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } };
    expect(matchesPattern(pattern, ec2Running)).toBe(true);
    for (const limit of [100, 200, 300]) {
      expect(matchesPattern(pattern, withDetail(ec2Running, { 'x-limit': limit }))).toBe(false);
    }
  });

  it('compares by type: the string "100" is not the excluded number 100', () => {
    const pattern = { detail: { 'x-limit': [{ 'anything-but': [100] }] } };
    expect(matchesPattern(pattern, withDetail(ec2Running, { 'x-limit': '100' }))).toBe(true);
  });

  it('a prefix (state does not start with "init")', () => {
    const pattern = { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } };
    expect(matchesPattern(pattern, ec2Running)).toBe(true);
    expect(matchesPattern(pattern, withDetail(ec2Running, { state: 'initializing' }))).toBe(false);
  });

  it('the user guide examples on source and detail-type', () => {
    const notCloudTrail = { 'detail-type': [{ 'anything-but': 'AWS API Call via CloudTrail' }] };
    const notEc2OrS3 = { source: [{ 'anything-but': ['aws.ec2', 'aws.s3'] }] };
    const ownEventsOnly = { source: [{ 'anything-but': { prefix: 'aws.' } }] };
    expect(matchesPattern(notCloudTrail, ec2Running)).toBe(true);
    expect(matchesPattern(notCloudTrail, { ...ec2Running, 'detail-type': 'AWS API Call via CloudTrail' })).toBe(false);
    expect(matchesPattern(notEc2OrS3, ec2Running)).toBe(false);
    expect(matchesPattern(notEc2OrS3, { ...ec2Running, source: 'aws.lambda' })).toBe(true);
    expect(matchesPattern(ownEventsOnly, ec2Running)).toBe(false);
    expect(matchesPattern(ownEventsOnly, { ...ec2Running, source: 'partner-escalation-hub' })).toBe(true);
  });

  it('a suffix, equals-ignore-case and wildcard', () => {
    const notPng = { detail: { FileName: [{ 'anything-but': { suffix: '.png' } }] } };
    const notInitializing = { detail: { state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] } };
    const notInLib = { detail: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] } };
    expect(matchesPattern(notPng, detailOnly({ FileName: 'a.png' }))).toBe(false);
    expect(matchesPattern(notPng, detailOnly({ FileName: 'a.jpg' }))).toBe(true);
    expect(matchesPattern(notInitializing, detailOnly({ state: 'INITIALIZING' }))).toBe(false);
    expect(matchesPattern(notInitializing, detailOnly({ state: 'running' }))).toBe(true);
    expect(matchesPattern(notInLib, detailOnly({ FilePath: 'src/lib/x.ts' }))).toBe(false);
    expect(matchesPattern(notInLib, detailOnly({ FilePath: 'src/app/x.ts' }))).toBe(true);
  });

  it('a list of prefixes', () => {
    const pattern = { region: [{ 'anything-but': { prefix: ['us-', 'eu-'] } }] };
    expect(matchesPattern(pattern, { region: 'us-east-1' })).toBe(false);
    expect(matchesPattern(pattern, { region: 'eu-west-1' })).toBe(false);
    expect(matchesPattern(pattern, { region: 'ap-south-1' })).toBe(true);
  });

  it('matches an event array when any element is not excluded', () => {
    const pattern = { detail: { state: [{ 'anything-but': 'stopped' }] } };
    expect(matchesPattern(pattern, detailOnly({ state: ['stopped', 'running'] }))).toBe(true);
    expect(matchesPattern(pattern, detailOnly({ state: ['stopped', 'stopped'] }))).toBe(false);
  });
});

describe('numeric matching', () => {
  it('the user guide example: c-count in (0, 5], d-count < 10, x-limit = 3.018e2', () => {
    const pattern = {
      detail: {
        'c-count': [{ numeric: ['>', 0, '<=', 5] }],
        'd-count': [{ numeric: ['<', 10] }],
        'x-limit': [{ numeric: ['=', 3.018e2] }],
      },
    };
    expect(matchesPattern(pattern, ec2Running)).toBe(true);
    expect(matchesPattern(pattern, withDetail(ec2Running, { 'c-count': 6 }))).toBe(false);
    expect(matchesPattern(pattern, withDetail(ec2Running, { 'd-count': 10 }))).toBe(false);
    expect(matchesPattern(pattern, withDetail(ec2Running, { 'x-limit': 301.9 }))).toBe(false);
  });

  it.each<[string, unknown[], number, boolean]>([
    ['> 0 excludes 0', ['>', 0], 0, false],
    ['> 0 includes 0.000001', ['>', 0], 0.000001, true],
    ['>= 0 includes 0', ['>=', 0], 0, true],
    ['>= 0 excludes -0.5', ['>=', 0], -0.5, false],
    ['< 10 excludes 10', ['<', 10], 10, false],
    ['< 10 includes 9.99', ['<', 10], 9.99, true],
    ['<= 10 includes 10', ['<=', 10], 10, true],
    ['= 5 includes 5', ['=', 5], 5, true],
    ['= 5 excludes 5.1', ['=', 5], 5.1, false],
    ['(0, 5] excludes the lower bound 0', ['>', 0, '<=', 5], 0, false],
    ['(0, 5] includes the upper bound 5', ['>', 0, '<=', 5], 5, true],
    ['(0, 5] excludes 5.000001', ['>', 0, '<=', 5], 5.000001, false],
    ['[0, 5) includes the lower bound 0', ['>=', 0, '<', 5], 0, true],
    ['[0, 5) excludes the upper bound 5', ['>=', 0, '<', 5], 5, false],
    ['[-10, -1] includes -10', ['>=', -10, '<=', -1], -10, true],
    ['[-10, -1] excludes 0', ['>=', -10, '<=', -1], 0, false],
  ])('%s', (_name, spec, value, expected) => {
    expect(matchesPattern({ detail: { n: [{ numeric: spec }] } }, detailOnly({ n: value }))).toBe(expected);
  });

  it('only matches JSON numbers, never numeric-looking strings, booleans or null', () => {
    const pattern = { detail: { n: [{ numeric: ['>=', 0] }] } };
    for (const value of ['5', '0', true, null]) {
      expect(matchesPattern(pattern, detailOnly({ n: value }))).toBe(false);
    }
  });

  it('does not match numbers beyond the documented ±5e9 range', () => {
    const pattern = { detail: { n: [{ numeric: ['>', 0] }] } };
    expect(matchesPattern(pattern, detailOnly({ n: 5e9 }))).toBe(true);
    expect(matchesPattern(pattern, detailOnly({ n: 5e9 + 1 }))).toBe(false);
  });

  it('matches an event array when any element is in range', () => {
    const pattern = { detail: { n: [{ numeric: ['>', 0, '<=', 5] }] } };
    expect(matchesPattern(pattern, detailOnly({ n: [0, 9, 3] }))).toBe(true);
    expect(matchesPattern(pattern, detailOnly({ n: [0, 9, -3] }))).toBe(false);
  });
});

describe('IP address matching', () => {
  it('cidr 10.0.0.0/24 matches addresses in the block only', () => {
    const pattern = { detail: { 'source-ip': [{ cidr: '10.0.0.0/24' }] } };
    expect(matchesPattern(pattern, ec2Running)).toBe(true);
    expect(matchesPattern(pattern, withDetail(ec2Running, { 'source-ip': '10.0.0.255' }))).toBe(true);
    expect(matchesPattern(pattern, withDetail(ec2Running, { 'source-ip': '10.0.1.1' }))).toBe(false);
    expect(matchesPattern(pattern, withDetail(ec2Running, { 'source-ip': 'not-an-ip' }))).toBe(false);
  });

  it('cidr works for IPv6', () => {
    const pattern = { detail: { ip: [{ cidr: '2001:db8::/32' }] } };
    expect(matchesPattern(pattern, detailOnly({ ip: '2001:db8::1' }))).toBe(true);
    expect(matchesPattern(pattern, detailOnly({ ip: '2001:db9::1' }))).toBe(false);
    expect(matchesPattern(pattern, detailOnly({ ip: '10.0.0.1' }))).toBe(false);
  });
});

describe('the complex example combining several filters', () => {
  const pattern: EventPattern = {
    time: [{ prefix: '2017-10-02' }],
    detail: {
      state: [{ 'anything-but': 'initializing' }],
      'c-count': [{ numeric: ['>', 0, '<=', 5] }],
      'd-count': [{ numeric: ['<', 10] }],
      'x-limit': [{ 'anything-but': [100, 200, 300] }],
    },
  };

  it('matches the example event', () => {
    expect(matchesPattern(pattern, ec2Running)).toBe(true);
  });

  it.each<[string, Event]>([
    ['the time prefix differs', { ...ec2Running, time: '2017-10-03T00:00:00Z' }],
    ['state is initializing', withDetail(ec2Running, { state: 'initializing' })],
    ['c-count is 0', withDetail(ec2Running, { 'c-count': 0 })],
    ['d-count is 10', withDetail(ec2Running, { 'd-count': 10 })],
    ['x-limit is 200', withDetail(ec2Running, { 'x-limit': 200 })],
  ])('does not match when %s', (_name, event) => {
    expect(matchesPattern(pattern, event)).toBe(false);
  });
});

describe('arrays in events', () => {
  it('the user guide example: matches when the pattern and event arrays intersect', () => {
    const pattern = {
      resources: [
        'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
        'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f',
        'arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f',
      ],
    };
    const event = {
      resources: [
        'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b-bbf0-401d-b893-d5978ed4a025:autoScalingGroupName/ASGTerminate',
        'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
      ],
    };
    expect(matchesPattern(pattern, event)).toBe(true);
    expect(matchesPattern(pattern, { resources: [event.resources[0]] })).toBe(false);
    expect(matchesPattern(pattern, { resources: [] })).toBe(false);
  });

  it('matches fields of objects inside arrays (employees example)', () => {
    const event = {
      employees: [
        { firstName: 'John', lastName: 'Doe' },
        { firstName: 'Anna', lastName: 'Smith' },
        { firstName: 'Peter', lastName: 'Jones' },
      ],
    };
    expect(matchesPattern({ employees: { firstName: ['Anna'] } }, event)).toBe(true);
    expect(matchesPattern({ employees: { firstName: ['Zoe'] } }, event)).toBe(false);
    expect(matchesPattern({ employees: { firstName: ['Anna'], lastName: ['Smith'] } }, event)).toBe(true);
  });

  it('never combines fields from different objects of the same array', () => {
    const event = {
      employees: [
        { firstName: 'John', lastName: 'Doe' },
        { firstName: 'Anna', lastName: 'Smith' },
        { firstName: 'Peter', lastName: 'Jones' },
      ],
    };
    expect(matchesPattern({ employees: { firstName: ['Anna'], lastName: ['Jones'] } }, event)).toBe(false);
  });

  it('crushes nested arrays', () => {
    const event = {
      employees: [
        [{ firstName: 'John', lastName: 'Doe' }, { firstName: 'Anna', lastName: 'Smith' }],
        [{ firstName: 'Peter', lastName: 'Jones' }],
      ],
    };
    expect(matchesPattern({ employees: { firstName: ['Peter'] } }, event)).toBe(true);
    expect(matchesPattern({ employees: { firstName: ['Anna'], lastName: ['Smith'] } }, event)).toBe(true);
    expect(matchesPattern({ employees: { firstName: ['Anna'], lastName: ['Jones'] } }, event)).toBe(false);
  });

  it('lets each alternative of a scalar array be matched independently', () => {
    const pattern = { detail: { tags: ['urgent'], owner: ['team-a'] } };
    expect(matchesPattern(pattern, detailOnly({ tags: ['billing', 'urgent'], owner: 'team-a' }))).toBe(true);
    expect(matchesPattern(pattern, detailOnly({ tags: ['billing'], owner: 'team-a' }))).toBe(false);
  });
});

describe('$or', () => {
  it('the user guide example: any of c-count, d-count or x-limit in range', () => {
    const pattern = {
      detail: {
        $or: [
          { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] },
          { 'd-count': [{ numeric: ['<', 10] }] },
          { 'x-limit': [{ numeric: ['=', 3.018e2] }] },
        ],
      },
    };
    expect(matchesPattern(pattern, ec2Running)).toBe(true);
    expect(matchesPattern(pattern, detailOnly({ 'c-count': 9, 'd-count': 3 }))).toBe(true);
    expect(matchesPattern(pattern, detailOnly({ 'x-limit': 301.8 }))).toBe(true);
    expect(matchesPattern(pattern, detailOnly({ 'c-count': 9, 'd-count': 30, 'x-limit': 1 }))).toBe(false);
    expect(matchesPattern(pattern, detailOnly({}))).toBe(false);
  });

  it('"source" AND ("metricName" OR "namespace")', () => {
    const pattern = {
      source: ['aws.cloudwatch'],
      $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }],
    };
    expect(matchesPattern(pattern, { source: 'aws.cloudwatch', metricName: 'ReadLatency' })).toBe(true);
    expect(matchesPattern(pattern, { source: 'aws.cloudwatch', namespace: 'AWS/ES' })).toBe(true);
    expect(matchesPattern(pattern, { source: 'aws.cloudwatch', namespace: 'AWS/S3' })).toBe(false);
    expect(matchesPattern(pattern, { source: 'aws.ec2', metricName: 'ReadLatency' })).toBe(false);
  });

  it('an $or branch with several fields needs all of them, and $or nests', () => {
    const pattern = {
      source: ['aws.cloudwatch'],
      $or: [
        { metricName: ['CPUUtilization'] },
        {
          metricType: ['MetricType'],
          namespace: ['AWS/EC2'],
          $or: [{ metricId: [1234] }, { spaceId: [1000] }],
        },
        { scope: ['Service'] },
      ],
    };
    const base = { source: 'aws.cloudwatch' };
    expect(matchesPattern(pattern, { ...base, scope: 'Service' })).toBe(true);
    expect(matchesPattern(pattern, { ...base, metricType: 'MetricType', namespace: 'AWS/EC2', spaceId: 1000 })).toBe(true);
    expect(matchesPattern(pattern, { ...base, metricType: 'MetricType', namespace: 'AWS/EC2' })).toBe(false);
    expect(matchesPattern(pattern, { ...base, metricType: 'MetricType', spaceId: 1000 })).toBe(false);
  });

  it('parallel $or at different levels are ANDed', () => {
    const pattern = {
      $or: [{ metricName: ['CPUUtilization'] }, { namespace: ['AWS/EC2'] }],
      detail: { $or: [{ source: ['aws.cloudwatch'] }, { 'detail-type': ['CloudWatch Alarm State Change'] }] },
    };
    expect(matchesPattern(pattern, { namespace: 'AWS/EC2', detail: { source: 'aws.cloudwatch' } })).toBe(true);
    expect(matchesPattern(pattern, { namespace: 'AWS/EC2', detail: { source: 'aws.s3' } })).toBe(false);
    expect(matchesPattern(pattern, { namespace: 'AWS/S3', detail: { source: 'aws.cloudwatch' } })).toBe(false);
  });

  it('uses the later reference when a field is named both outside and inside a branch', () => {
    // Key order matters, as for duplicate keys in EventBridge: here the branch's "location" replaces the outer one.
    const pattern = {
      detail: {
        location: [{ prefix: 'us-' }],
        $or: [{ location: [{ 'anything-but': 'us-east' }] }, { zone: ['a'] }],
      },
    };
    expect(matchesPattern(pattern, detailOnly({ location: 'eu-west' }))).toBe(true);
    expect(matchesPattern(pattern, detailOnly({ location: 'us-east' }))).toBe(false);
    expect(matchesPattern(pattern, detailOnly({ location: 'us-east', zone: 'a' }))).toBe(true);
    expect(matchesPattern(pattern, detailOnly({ location: 'eu-west', zone: 'b' }))).toBe(true);
    // Here the outer "location", written after the $or, replaces the branch's one in every branch.
    const reversed = {
      detail: {
        $or: [{ location: [{ 'anything-but': 'us-east' }] }, { zone: ['a'] }],
        location: [{ prefix: 'us-' }],
      },
    };
    expect(matchesPattern(reversed, detailOnly({ location: 'eu-west' }))).toBe(false);
    expect(matchesPattern(reversed, detailOnly({ location: 'us-east' }))).toBe(true);
  });

  it('can combine a branch with { exists: false }', () => {
    const pattern = { detail: { $or: [{ assignee: [{ exists: false }] }, { priority: ['high'] }] } };
    expect(matchesPattern(pattern, detailOnly({ priority: 'low' }))).toBe(true);
    expect(matchesPattern(pattern, detailOnly({ assignee: 'ana', priority: 'high' }))).toBe(true);
    expect(matchesPattern(pattern, detailOnly({ assignee: 'ana', priority: 'low' }))).toBe(false);
  });
});

describe("the project's PartnerIncidentOpened rule (pendingComments > 0)", () => {
  const pattern: EventPattern = {
    source: ['partner-escalation-hub'],
    'detail-type': ['PartnerIncidentOpened'],
    detail: { pendingComments: [{ numeric: ['>', 0] }] },
  };
  const opened = (detail: Record<string, unknown>, overrides: Event = {}): Event => ({
    version: '0',
    id: 'b6f5c1d2-0000-4000-8000-000000000001',
    'detail-type': 'PartnerIncidentOpened',
    source: 'partner-escalation-hub',
    account: '000000000000',
    time: '2025-01-01T00:00:00Z',
    region: 'local',
    resources: [],
    detail: { caseId: 'case-1', partnerId: 'acme', ...detail },
    ...overrides,
  });

  it('is a valid pattern', () => {
    expect(() => validatePattern(pattern)).not.toThrow();
  });

  it.each([1, 2, 17, 0.5])('matches when pendingComments is %p', (pendingComments) => {
    expect(matchesPattern(pattern, opened({ pendingComments }))).toBe(true);
  });

  it.each<[string, Record<string, unknown>]>([
    ['is 0', { pendingComments: 0 }],
    ['is negative', { pendingComments: -1 }],
    ['is the string "3"', { pendingComments: '3' }],
    ['is null', { pendingComments: null }],
    ['is absent', {}],
  ])('does not match when pendingComments %s', (_name, detail) => {
    expect(matchesPattern(pattern, opened(detail))).toBe(false);
  });

  it('does not match another source or detail-type even with pending comments', () => {
    expect(matchesPattern(pattern, opened({ pendingComments: 2 }, { source: 'someone-else' }))).toBe(false);
    expect(matchesPattern(pattern, opened({ pendingComments: 2 }, { 'detail-type': 'PartnerIncidentUpdated' }))).toBe(false);
  });
});

describe('validatePattern', () => {
  it.each<[string, EventPattern]>([
    ['EC2 termination', { source: ['aws.ec2'], 'detail-type': ['EC2 Instance State-change Notification'], detail: { state: ['terminated'] } }],
    ['null and empty string', { detail: { eventVersion: [''], responseElements: [null] } }],
    ['booleans and numbers', { detail: { flag: [true, false], n: [0, -1.5, 3.018e2] } }],
    ['prefix / suffix with equals-ignore-case', { a: [{ prefix: { 'equals-ignore-case': 'x' } }], b: [{ suffix: { 'equals-ignore-case': 'y' } }] }],
    ['anything-but forms', { a: [{ 'anything-but': 'x' }, { 'anything-but': 1 }, { 'anything-but': ['x', 'y'] }, { 'anything-but': [1, 2] }] }],
    ['anything-but nested forms', { a: [{ 'anything-but': { prefix: 'x' } }, { 'anything-but': { suffix: ['.png', '.jpg'] } }, { 'anything-but': { 'equals-ignore-case': 'x' } }, { 'anything-but': { wildcard: '*/lib/*' } }] }],
    ['numeric forms', { a: [{ numeric: ['=', 5] }, { numeric: ['<', 5] }, { numeric: ['>=', 0, '<', 5] }, { numeric: ['>', -5e9, '<=', 5e9] }] }],
    ['exists', { a: [{ exists: true }], b: [{ exists: false }] }],
    ['cidr', { a: [{ cidr: '10.0.0.0/24' }, { cidr: '2001:db8::/32' }] }],
    ['wildcard with escapes', { a: [{ wildcard: 'a*b\\*c\\\\d*' }] }],
    ['$or', { $or: [{ a: ['x'] }, { b: { c: ['y'] } }] }],
    ['a field named like an operator, outside $or', { detail: { prefix: ['x'], numeric: { exists: ['y'] } } }],
  ])('accepts %s', (_name, pattern) => {
    expect(() => validatePattern(pattern)).not.toThrow();
  });

  it.each<[string, unknown, RegExp]>([
    ['a pattern that is an array', [], /must be a JSON object, not an array/],
    ['a null pattern', null, /must be a JSON object, not null/],
    ['an empty pattern', {}, /empty objects are not allowed/],
    ['an empty nested object', { detail: {} }, /at "detail": empty objects are not allowed/],
    ['a leaf that is a string', { source: 'aws.ec2' }, /at "source": .*must be an array.*not the string "aws.ec2"/],
    ['a leaf that is a number', { detail: { n: 5 } }, /at "detail.n": .*not number 5/],
    ['a leaf that is null', { detail: { n: null } }, /at "detail.n": .*not null/],
    ['an empty leaf array', { source: [] }, /at "source": empty arrays are not allowed/],
    ['a nested array in a leaf', { source: [['aws.ec2']] }, /match values must be .* not an array/],
    ['an unknown operator', { source: [{ contains: 'ec2' }] }, /unknown match operator "contains"/],
    ['a match expression with two keys', { source: [{ prefix: 'a', suffix: 'b' }] }, /exactly one key, got "prefix", "suffix"/],
    ['an empty match expression', { source: [{}] }, /exactly one key, got none/],
    ['a non-string prefix', { source: [{ prefix: 5 }] }, /prefix must be a string, not number 5/],
    ['prefix with an unknown modifier', { source: [{ prefix: { 'ignore-case': 'a' } }] }, /prefix takes a string or \{ "equals-ignore-case": string \}/],
    ['a non-string suffix', { source: [{ suffix: null }] }, /suffix must be a string, not null/],
    ['a non-string equals-ignore-case', { source: [{ 'equals-ignore-case': ['a'] }] }, /equals-ignore-case must be a string/],
    ['numeric that is not an array', { n: [{ numeric: '>0' }] }, /numeric must be an array/],
    ['numeric with an unknown operator', { n: [{ numeric: ['!=', 0] }] }, /unknown numeric operator "!="/],
    ['numeric with a string operand', { n: [{ numeric: ['>', '0'] }] }, /value after ">" must be a number, not the string "0"/],
    ['numeric with three elements', { n: [{ numeric: ['>', 0, '<'] }] }, /got 3 elements/],
    ['numeric with too many terms', { n: [{ numeric: ['>', 0, '<', 5, '<', 6] }] }, /got 6 elements/],
    ['a numeric range starting with an upper bound', { n: [{ numeric: ['<', 5, '>', 0] }] }, /must start with ">" or ">="/],
    ['a numeric range with two lower bounds', { n: [{ numeric: ['>', 0, '>=', 5] }] }, /must end with "<" or "<="/],
    ['an empty numeric range', { n: [{ numeric: ['>', 5, '<', 5] }] }, /lower bound 5 must be less than upper bound 5/],
    ['a numeric bound beyond 5e9', { n: [{ numeric: ['>', 6e9] }] }, /outside the supported range/],
    ['exists that is not a boolean', { n: [{ exists: 'true' }] }, /exists must be true or false/],
    ['anything-but null', { n: [{ 'anything-but': null }] }, /anything-but takes .* not null/],
    ['anything-but true', { n: [{ 'anything-but': true }] }, /anything-but takes .* not boolean true/],
    ['an empty anything-but list', { n: [{ 'anything-but': [] }] }, /anything-but list must not be empty/],
    ['a mixed anything-but list', { n: [{ 'anything-but': ['a', 1] }] }, /all strings or all numbers/],
    ['an anything-but list with null', { n: [{ 'anything-but': ['a', null] }] }, /all strings or all numbers/],
    ['anything-but with an unknown operator', { n: [{ 'anything-but': { numeric: ['>', 1] } }] }, /anything-but takes .* got keys "numeric"/],
    ['anything-but with an empty prefix', { n: [{ 'anything-but': { prefix: '' } }] }, /anything-but prefix must not be empty/],
    ['anything-but with a numeric prefix', { n: [{ 'anything-but': { prefix: 1 } }] }, /anything-but prefix must be a string/],
    ['consecutive wildcards', { n: [{ wildcard: 'a**b' }] }, /consecutive wildcard characters are not allowed/],
    ['a wildcard escaping an ordinary character', { n: [{ wildcard: 'a\\b' }] }, /backslash may only escape/],
    ['a wildcard ending in a backslash', { n: [{ wildcard: 'a\\' }] }, /backslash may only escape/],
    ['an invalid cidr', { ip: [{ cidr: '10.0.0.0/33' }] }, /not a valid IPv4 or IPv6 CIDR block/],
    ['a cidr without a prefix length', { ip: [{ cidr: '10.0.0.1' }] }, /not a valid IPv4 or IPv6 CIDR block/],
    ['$or that is not an array', { $or: { a: ['x'] } }, /at "\$or": \$or must be an array/],
    ['$or with one branch', { $or: [{ a: ['x'] }] }, /at least 2 pattern objects/],
    ['$or with a non-object branch', { $or: [{ a: ['x'] }, ['b']] }, /at "\$or.1": every \$or branch must be a pattern object/],
    ['$or with an empty branch', { $or: [{ a: ['x'] }, {}] }, /empty objects are not allowed/],
    ['an operator name used as a field inside $or', { $or: [{ numeric: [123] }, { prefix: ['abc'] }] }, /"numeric" is a reserved match operator/],
  ])('rejects %s', (_name, pattern, message) => {
    expect(() => validatePattern(pattern as EventPattern)).toThrow(message);
  });

  it('matchesPattern refuses invalid patterns instead of silently not matching', () => {
    expect(() => matchesPattern({ source: 'partner-escalation-hub' }, { source: 'partner-escalation-hub' })).toThrow(
      /Invalid event pattern at "source"/,
    );
  });
});
