/**
 * In-process Amazon EventBridge event-pattern matching, for the local runtime (see local/bus.ts).
 *
 * Follows the documented EventBridge rules (user guide: "Event patterns", "Content filtering",
 * "Arrays", "Null values and empty strings", comparison operators; and the Event Ruler README):
 *
 * - A pattern is a JSON object. Every field it names must match (AND); a field's value is either a
 *   nested object (matched against the nested event object) or a non-empty array of alternatives (OR).
 * - Alternatives are JSON literals (string, number, boolean, null; matched exactly and by type, so "5"
 *   never equals 5) or one-key match expressions: prefix, suffix (each optionally
 *   `{ 'equals-ignore-case': s }`), equals-ignore-case, wildcard, anything-but, numeric, exists, cidr.
 * - `$or: [ {...}, {...} ]` (two or more non-empty objects) at any level matches when any branch does.
 *   If a field is named both outside and inside a branch, the later one (in key order) is used.
 * - Event arrays are "crushed": a field matches when any element matches; arrays of objects behave as
 *   if each object were the field's value. As in EventBridge, a match never combines fields taken from
 *   objects in different elements of the same array.
 * - Only leaf values (strings, numbers, booleans, null) count as present. A field that is absent, or
 *   whose value is an object or an empty array, matches nothing but `{ exists: false }`.
 *
 * The event is matched in its JSON form (as PutEvents would send it), so a Date becomes its ISO string
 * and `undefined` members disappear.
 */
import { BlockList, isIP } from 'node:net';

export type EventPattern = Record<string, unknown>;

/** Numeric matching only works within this magnitude (Event Ruler / EventBridge limit). */
const NUMERIC_LIMIT = 5e9;
/** Field names that cannot be used inside a `$or` branch, because EventBridge reserves them. */
const MATCH_OPERATORS = ['prefix', 'suffix', 'equals-ignore-case', 'wildcard', 'anything-but', 'numeric', 'exists', 'cidr'];

type Scalar = string | number | boolean | null;

/** One alternative in a leaf array, compiled. */
interface Condition {
  /** Whether a present leaf value satisfies the alternative. */
  test(value: Scalar): boolean;
  /** Whether the alternative is satisfied by the field being absent (only `{ exists: false }`). */
  matchesAbsent: boolean;
}

/** A field constraint: the leaf at `path` must satisfy one of `conditions`. */
interface Constraint { path: string; conditions: Condition[] }

/** A conjunction of constraints; a compiled pattern is a disjunction of these (`$or` is expanded). */
type Conjunction = Constraint[];

/** A leaf value of the event, with the array elements it sits in (array id -> element index). */
interface Leaf { value: Scalar; trail: ReadonlyArray<readonly [number, number]> }

/** true when `event` (a full EventBridge event object: { source, 'detail-type', detail, ... }) matches `pattern`. */
export function matchesPattern(pattern: EventPattern, event: Record<string, unknown>): boolean {
  const alternatives = compilePattern(pattern);
  const leaves = flattenEvent(event);
  return alternatives.some((conjunction) => matchesConjunction(conjunction, leaves));
}

/** Throws an Error with a clear message for a pattern EventBridge would reject (e.g. a leaf that is not an array, empty array, unknown operator). */
export function validatePattern(pattern: EventPattern): void {
  compilePattern(pattern);
}

// ---------------------------------------------------------------------------------------------
// Pattern compilation (and validation)
// ---------------------------------------------------------------------------------------------

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array';
  if (typeof x === 'object') return 'an object';
  if (typeof x === 'string') return `the string ${JSON.stringify(x)}`;
  return `${typeof x} ${String(x)}`;
}

function fail(path: readonly string[], message: string): never {
  const where = path.length > 0 ? ` at "${path.join('.')}"` : '';
  throw new Error(`Invalid event pattern${where}: ${message}`);
}

const pathKey = (path: readonly string[]): string => JSON.stringify(path);

function compilePattern(pattern: unknown): Conjunction[] {
  if (!isPlainObject(pattern)) fail([], `the pattern must be a JSON object, not ${describe(pattern)}`);
  return compileObject(pattern, [], [[]], false);
}

/** Adds the constraints of `obj` (found at `path`) to each conjunction in `base`. */
function compileObject(obj: Record<string, unknown>, path: string[], base: Conjunction[], insideOr: boolean): Conjunction[] {
  const keys = Object.keys(obj);
  if (keys.length === 0) fail(path, 'empty objects are not allowed');
  let result = base;
  for (const key of keys) {
    const value = obj[key];
    if (key === '$or') {
      result = compileOr(value, path, result);
      continue;
    }
    const here = [...path, key];
    if (insideOr && MATCH_OPERATORS.includes(key)) {
      fail(here, `"${key}" is a reserved match operator and cannot be used as a field name inside $or`);
    }
    if (Array.isArray(value)) {
      const constraint: Constraint = { path: pathKey(here), conditions: compileLeaf(value, here) };
      // As in EventBridge, a later reference to the same field (e.g. inside a $or branch, after the
      // field was given outside it) replaces the earlier one rather than adding to it.
      result = result.map((conjunction) => [...conjunction.filter((c) => c.path !== constraint.path), constraint]);
    } else if (isPlainObject(value)) {
      result = compileObject(value, here, result, insideOr);
    } else {
      fail(here, `a field's value must be an array of values to match or a nested object, not ${describe(value)}`);
    }
  }
  return result;
}

function compileOr(value: unknown, path: string[], base: Conjunction[]): Conjunction[] {
  const here = [...path, '$or'];
  if (!Array.isArray(value)) fail(here, `$or must be an array of pattern objects, not ${describe(value)}`);
  if (value.length < 2) fail(here, '$or needs at least 2 pattern objects');
  return value.flatMap((branch: unknown, i) => {
    if (!isPlainObject(branch)) fail([...here, String(i)], `every $or branch must be a pattern object, not ${describe(branch)}`);
    return compileObject(branch, path, base, true);
  });
}

function compileLeaf(values: unknown[], path: string[]): Condition[] {
  if (values.length === 0) fail(path, 'empty arrays are not allowed');
  return values.map((v) => {
    if (typeof v === 'string' || typeof v === 'boolean' || v === null) return exact(v);
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) fail(path, `${v} is not a JSON number`);
      return exact(v);
    }
    if (isPlainObject(v)) return compileMatchExpression(v, path);
    return fail(path, `match values must be strings, numbers, booleans, null or match expressions, not ${describe(v)}`);
  });
}

const present = (test: (value: Scalar) => boolean): Condition => ({ test, matchesAbsent: false });
const exact = (expected: Scalar): Condition => present((v) => v === expected);

function compileMatchExpression(expr: Record<string, unknown>, path: string[]): Condition {
  const keys = Object.keys(expr);
  if (keys.length !== 1) {
    fail(path, `a match expression must have exactly one key, got ${keys.length === 0 ? 'none' : keys.map((k) => `"${k}"`).join(', ')}`);
  }
  const op = keys[0]!;
  const arg = expr[op];
  switch (op) {
    case 'prefix':
    case 'suffix':
      return present(stringTest(affixMatcher(op, arg, path, false)));
    case 'equals-ignore-case':
      return present(stringTest(ignoreCaseMatcher(requireString(arg, op, path))));
    case 'wildcard':
      return present(stringTest(wildcardMatcher(requireString(arg, op, path), path)));
    case 'anything-but':
      return present(anythingBut(arg, path));
    case 'numeric':
      return present(numeric(arg, path));
    case 'exists':
      if (typeof arg !== 'boolean') fail(path, `exists must be true or false, not ${describe(arg)}`);
      return arg ? present(() => true) : { test: () => false, matchesAbsent: true };
    case 'cidr':
      return present(cidr(arg, path));
    default:
      return fail(path, `unknown match operator "${op}" (expected one of ${MATCH_OPERATORS.join(', ')})`);
  }
}

type StringMatcher = (s: string) => boolean;

/** String operators never match numbers, booleans or null. */
const stringTest = (matcher: StringMatcher) => (v: Scalar): boolean => typeof v === 'string' && matcher(v);

function requireString(arg: unknown, op: string, path: string[]): string {
  if (typeof arg !== 'string') fail(path, `${op} must be a string, not ${describe(arg)}`);
  return arg;
}

const fold = (s: string): string => s.toLowerCase();

function ignoreCaseMatcher(expected: string): StringMatcher {
  const lower = fold(expected);
  const upper = expected.toUpperCase();
  return (s) => fold(s) === lower || s.toUpperCase() === upper;
}

/** `{ prefix: 'x' }`, `{ prefix: { 'equals-ignore-case': 'x' } }`, and the same for suffix. */
function affixMatcher(op: 'prefix' | 'suffix', arg: unknown, path: string[], nonEmpty: boolean): StringMatcher {
  let affix: string;
  let ignoreCase = false;
  if (isPlainObject(arg)) {
    const keys = Object.keys(arg);
    if (keys.length !== 1 || keys[0] !== 'equals-ignore-case') {
      fail(path, `${op} takes a string or { "equals-ignore-case": string }, got keys ${keys.map((k) => `"${k}"`).join(', ') || 'none'}`);
    }
    affix = requireString(arg['equals-ignore-case'], `${op} equals-ignore-case`, path);
    ignoreCase = true;
  } else {
    affix = requireString(arg, op, path);
  }
  if (nonEmpty && affix === '') fail(path, `anything-but ${op} must not be empty`);
  const wanted = ignoreCase ? fold(affix) : affix;
  return (s) => {
    const subject = ignoreCase ? fold(s) : s;
    return op === 'prefix' ? subject.startsWith(wanted) : subject.endsWith(wanted);
  };
}

/** `*` matches any run of characters (including none); `\*` and `\\` are a literal `*` and `\`. */
function wildcardMatcher(source: string, path: string[]): StringMatcher {
  let regex = '';
  for (let i = 0; i < source.length; i++) {
    const ch = source[i]!;
    if (ch === '\\') {
      const next = source[i + 1];
      if (next !== '*' && next !== '\\') {
        fail(path, `wildcard ${JSON.stringify(source)}: a backslash may only escape "*" or "\\"`);
      }
      regex += `\\${next}`;
      i++;
    } else if (ch === '*') {
      if (source[i + 1] === '*') fail(path, `wildcard ${JSON.stringify(source)}: consecutive wildcard characters are not allowed`);
      regex += '.*';
    } else {
      regex += ch.replace(/[\^$\\.*+?()[\]{}|/]/g, '\\$&');
    }
  }
  const compiled = new RegExp(`^${regex}$`, 'su');
  return (s) => compiled.test(s);
}

/**
 * `{ 'anything-but': value | [values] | { prefix | suffix | equals-ignore-case | wildcard: string | [strings] } }`.
 * Matches any present leaf value that the excluded values/matchers do not match (a number is never
 * excluded by a string matcher, and vice versa).
 */
function anythingBut(arg: unknown, path: string[]): (v: Scalar) => boolean {
  if (typeof arg === 'string' || typeof arg === 'number') return anythingButValues([arg], path);
  if (Array.isArray(arg)) return anythingButValues(arg, path);
  if (isPlainObject(arg)) {
    const keys = Object.keys(arg);
    const op = keys[0];
    if (keys.length !== 1 || (op !== 'prefix' && op !== 'suffix' && op !== 'equals-ignore-case' && op !== 'wildcard')) {
      fail(path, `anything-but takes a string, a number, a list of either, or one of { prefix | suffix | equals-ignore-case | wildcard }, got keys ${keys.map((k) => `"${k}"`).join(', ') || 'none'}`);
    }
    const raw = arg[op];
    const list: unknown[] = Array.isArray(raw) ? raw : [raw];
    if (list.length === 0) fail(path, `anything-but ${op} list must not be empty`);
    const matchers = list.map((item): StringMatcher => {
      const s = requireString(item, `anything-but ${op}`, path);
      if (op === 'prefix' || op === 'suffix') return affixMatcher(op, s, path, true);
      if (op === 'equals-ignore-case') return ignoreCaseMatcher(s);
      return wildcardMatcher(s, path);
    });
    return (v) => typeof v !== 'string' || !matchers.some((m) => m(v));
  }
  return fail(path, `anything-but takes a string, a number, a list of either, or a prefix/suffix/equals-ignore-case/wildcard object, not ${describe(arg)}`);
}

function anythingButValues(list: unknown[], path: string[]): (v: Scalar) => boolean {
  if (list.length === 0) fail(path, 'anything-but list must not be empty');
  const allStrings = list.every((x) => typeof x === 'string');
  const allNumbers = list.every((x) => typeof x === 'number' && Number.isFinite(x));
  if (!allStrings && !allNumbers) {
    fail(path, `anything-but list values must be all strings or all numbers, got ${list.map(describe).join(', ')}`);
  }
  const excluded = new Set<unknown>(list);
  return (v) => !excluded.has(v);
}

type Comparison = '=' | '<' | '<=' | '>' | '>=';
const COMPARISONS: readonly string[] = ['=', '<', '<=', '>', '>='];

function compare(op: Comparison, a: number, b: number): boolean {
  switch (op) {
    case '=': return a === b;
    case '<': return a < b;
    case '<=': return a <= b;
    case '>': return a > b;
    case '>=': return a >= b;
  }
}

/** `{ numeric: [op, n] }` or `{ numeric: ['>' | '>=', low, '<' | '<=', high] }`; only JSON numbers match. */
function numeric(arg: unknown, path: string[]): (v: Scalar) => boolean {
  if (!Array.isArray(arg)) fail(path, `numeric must be an array like [">", 0, "<=", 5], not ${describe(arg)}`);
  if (arg.length !== 2 && arg.length !== 4) {
    fail(path, `numeric takes one comparison [op, number] or a range [">"|">=", low, "<"|"<=", high]; got ${arg.length} elements`);
  }
  const terms: Array<{ op: Comparison; bound: number }> = [];
  for (let i = 0; i < arg.length; i += 2) {
    const op: unknown = arg[i];
    const bound: unknown = arg[i + 1];
    if (typeof op !== 'string' || !COMPARISONS.includes(op)) {
      fail(path, `unknown numeric operator ${JSON.stringify(op)} (expected one of ${COMPARISONS.join(' ')})`);
    }
    if (typeof bound !== 'number' || !Number.isFinite(bound)) fail(path, `the value after "${op}" must be a number, not ${describe(bound)}`);
    if (Math.abs(bound) > NUMERIC_LIMIT) fail(path, `numeric bound ${bound} is outside the supported range -5e9..5e9`);
    terms.push({ op: op as Comparison, bound });
  }
  const [first, second] = terms as [{ op: Comparison; bound: number }, { op: Comparison; bound: number } | undefined];
  if (second) {
    if (first.op !== '>' && first.op !== '>=') fail(path, `a numeric range must start with ">" or ">=", not "${first.op}"`);
    if (second.op !== '<' && second.op !== '<=') fail(path, `a numeric range must end with "<" or "<=", not "${second.op}"`);
    if (first.bound >= second.bound) fail(path, `numeric range lower bound ${first.bound} must be less than upper bound ${second.bound}`);
  }
  return (v) =>
    typeof v === 'number' && Math.abs(v) <= NUMERIC_LIMIT && terms.every((t) => compare(t.op, v, t.bound));
}

/** `{ cidr: '10.0.0.0/24' }` (IPv4 or IPv6); matches string IP addresses inside the block. */
function cidr(arg: unknown, path: string[]): (v: Scalar) => boolean {
  const block = requireString(arg, 'cidr', path);
  const [address = '', prefixLength = ''] = block.split('/', 2);
  const version = isIP(address);
  const bits = Number(prefixLength);
  if (version === 0 || !/^\d{1,3}$/.test(prefixLength) || bits > (version === 6 ? 128 : 32) || block.split('/').length !== 2) {
    fail(path, `cidr ${JSON.stringify(block)} is not a valid IPv4 or IPv6 CIDR block like "10.0.0.0/24"`);
  }
  const family = version === 6 ? 'ipv6' : 'ipv4';
  const list = new BlockList();
  list.addSubnet(address, bits, family);
  return (v) => typeof v === 'string' && isIP(v) === version && list.check(v, family);
}

// ---------------------------------------------------------------------------------------------
// Matching
// ---------------------------------------------------------------------------------------------

/** Every leaf value of the event's JSON form, by path. */
function flattenEvent(event: Record<string, unknown>): Map<string, Leaf[]> {
  const json: unknown = JSON.parse(JSON.stringify(event) ?? 'null');
  const leaves = new Map<string, Leaf[]>();
  let nextArrayId = 0;
  const walk = (node: unknown, path: string[], trail: Leaf['trail']): void => {
    if (Array.isArray(node)) {
      const id = nextArrayId++;
      node.forEach((element: unknown, index) => {
        // Only containers pin an array position: two fields from different objects of one array
        // must not be combined, while plain values of an array are simply alternatives.
        const inner = typeof element === 'object' && element !== null ? [...trail, [id, index] as const] : trail;
        walk(element, path, inner);
      });
    } else if (isPlainObject(node)) {
      for (const [key, child] of Object.entries(node)) walk(child, [...path, key], trail);
    } else if (typeof node === 'string' || typeof node === 'number' || typeof node === 'boolean' || node === null) {
      const key = pathKey(path);
      const list = leaves.get(key);
      if (list) list.push({ value: node, trail });
      else leaves.set(key, [{ value: node, trail }]);
    }
  };
  walk(json, [], []);
  return leaves;
}

function matchesConjunction(conjunction: Conjunction, leaves: Map<string, Leaf[]>): boolean {
  // For each constraint, the event leaves that satisfy it; constraints met by absence need no leaf.
  const choices: Leaf[][] = [];
  for (const { path, conditions } of conjunction) {
    const values = leaves.get(path) ?? [];
    if (values.length === 0) {
      if (conditions.some((c) => c.matchesAbsent)) continue;
      return false;
    }
    const candidates = values.filter((leaf) => conditions.some((c) => c.test(leaf.value)));
    if (candidates.length === 0) return false;
    choices.push(candidates);
  }
  // Pick one leaf per constraint so that no two come from different elements of the same array.
  choices.sort((a, b) => a.length - b.length);
  const pinned = new Map<number, number>();
  const pick = (i: number): boolean => {
    const candidates = choices[i];
    if (!candidates) return true;
    for (const leaf of candidates) {
      if (leaf.trail.some(([id, index]) => pinned.has(id) && pinned.get(id) !== index)) continue;
      const added = leaf.trail.filter(([id]) => !pinned.has(id));
      for (const [id, index] of added) pinned.set(id, index);
      if (pick(i + 1)) return true;
      for (const [id] of added) pinned.delete(id);
    }
    return false;
  };
  return pick(0);
}
