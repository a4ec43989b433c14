/**
 * What the desk connectors share when they read a case with the desk's `mapping`: every field of `POST
 * /v1/escalations` found, or the problems, one per field, naming where it was looked for. Each desk says
 * where a field is (zendesk-desk: a JSON Pointer into the trigger's body; salesforce-desk: a Case field).
 */
import type { DeskEvent } from '../core/ports';

/** The fields a desk's `mapping` names besides `severity` and `partnerRelated`. */
export type MappedField = 'caseId' | 'customerId' | 'platform' | 'summary' | 'findings';
const MAPPED: readonly MappedField[] = ['caseId', 'customerId', 'platform', 'summary', 'findings'];

/** A desk's value as text: strings (trimmed; empty is nothing), numbers and booleans as they print (a checkbox is "true"). */
export const deskText = (v: unknown): string | undefined =>
  (typeof v === 'string' ? v.trim() || undefined : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined);

/** A place a field is read: its value, and how a problem names the place (`at /ticket/id`, `in Subject`). */
export interface Located { value: unknown; where: string }

/**
 * A partner-related case read with the mapping: `locate` finds each field; `severities` maps the desk's
 * value (as written, else lower-cased) to the hub's. All found → a flag; else the problems (with the case
 * id when it was found, so that they can be noted on the case).
 */
export function readMappedCase(locate: (name: MappedField | 'severity') => Located, severities: Readonly<Record<string, string>>): DeskEvent {
  const problems: string[] = [];
  const found = Object.fromEntries(MAPPED.map((name) => {
    const { value, where } = locate(name);
    const v = deskText(value);
    if (v === undefined) problems.push(`${name}: nothing ${where}`);
    return [name, v ?? ''];
  })) as Record<MappedField, string>;
  const { value, where } = locate('severity');
  const desk = deskText(value);
  const severity = desk === undefined ? undefined : severities[desk] ?? severities[desk.toLowerCase()];
  if (severity === undefined) {
    problems.push(desk === undefined ? `severity: nothing ${where}` : `severity: "${desk}" ${where} is none of ${Object.keys(severities).join(', ')}`);
  }
  const { caseId, ...flag } = found;
  if (problems.length > 0 || severity === undefined) return { kind: 'unmappable', ...(caseId ? { caseId } : {}), problems };
  return { kind: 'flag', caseId, flag: { ...flag, severity } };
}
