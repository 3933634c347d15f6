import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';

/** What a running `npm start` tells other local tools (`npm run token`): where things listen. */
export const localStateSchema = z.strictObject({
  pid: z.int(),
  gatewayUrl: z.string(),
  issuer: z.string(),
  tokenEndpoint: z.string(),
  dynamoEndpoint: z.string(),
  audience: z.string(),
  /** Names of the configured usage plans (locally a plan's id is its name). */
  usagePlans: z.array(z.string()).optional(),
});
export type LocalState = z.infer<typeof localStateSchema>;

export const STATE_FILE = 'state.json';

/** Writes the state file (0600) into the state folder. */
export async function writeLocalState(stateDir: string, state: LocalState): Promise<void> {
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- the state folder is chosen by the operator
  await writeFile(join(stateDir, STATE_FILE), `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}

/** Reads the state file; undefined when there is none or it is unreadable. */
export async function readLocalState(stateDir: string): Promise<LocalState | undefined> {
  try {
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- the state folder is chosen by the operator
    const parsed = localStateSchema.safeParse(JSON.parse(await readFile(join(stateDir, STATE_FILE), 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Removes the state file on shutdown, unless another `npm start` (another pid) has written it since. */
export async function removeLocalState(stateDir: string, pid: number): Promise<void> {
  const state = await readLocalState(stateDir);
  if (state !== undefined && state.pid !== pid) return;
  await rm(join(stateDir, STATE_FILE), { force: true });
}
