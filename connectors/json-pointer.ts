/**
 * RFC 6901 JSON Pointers (`/ticket/id`), resolved in a parsed JSON document: what a desk's `mapping` names.
 * `undefined` where the document has nothing there (a missing member, an index out of range).
 */
export function resolvePointer(doc: unknown, pointer: string): unknown {
  if (pointer === '') return doc;
  // each reference token: `~1` is `/`, `~0` is `~` (in that order, RFC 6901 §4)
  const tokens = pointer.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
  let at: unknown = doc;
  for (const token of tokens) {
    if (Array.isArray(at)) {
      if (!/^(0|[1-9]\d*)$/.test(token)) return undefined;
      at = at[Number(token)];
    } else if (typeof at === 'object' && at !== null && Object.hasOwn(at, token)) {
      at = (at as Record<string, unknown>)[token];
    } else {
      return undefined;
    }
  }
  return at;
}
