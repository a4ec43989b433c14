/**
 * `hub doctor --config <file>`: the doctor (connectors/doctor.ts) run here, on a configuration file, with
 * this process's environment for its `${NAME}` references: nothing is started.
 */
import { readFile } from 'node:fs/promises';
import type { DoctorReport } from '../core/responses';
import { runDoctor } from '../connectors/doctor';

/** The webhook URLs printed are under HUB_PUBLIC_URL, or else the URL `npm start` listens on. */
export async function doctorOnFile(file: string, env: Record<string, string | undefined>): Promise<DoctorReport> {
  const text = await readFile(file, 'utf8');
  let raw: unknown;
  try { raw = JSON.parse(text); } catch (err) {
    throw new Error(`${file} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  return runDoctor(raw, { env, publicUrl: env.HUB_PUBLIC_URL || `http://127.0.0.1:${env.PORT || 3000}` });
}
