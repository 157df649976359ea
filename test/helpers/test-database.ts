import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createScratchDatabase } from '../../src/database/database-url';

/** PostgreSQL for CI and `npm test` when TEST_DATABASE_URL is set; otherwise the embedded database. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL;

export interface TestDatabase {
  /** Environment for the app: DATABASE_URL of a fresh database, or a fresh DATA_DIR for the embedded one. */
  env: Record<string, string>;
  kind: 'postgresql' | 'embedded';
  drop(): Promise<void>;
}

/** A fresh database per test file: a new PostgreSQL database, or a new embedded data dir. */
export async function createTestDatabase(options: { embedded?: boolean } = {}): Promise<TestDatabase> {
  if (TEST_DATABASE_URL && !options.embedded) {
    const scratch = await createScratchDatabase(TEST_DATABASE_URL);
    return { env: { DATABASE_URL: scratch.url }, kind: 'postgresql', drop: () => scratch.drop() };
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'oms-test-'));
  return { env: { DATA_DIR: dataDir, DATABASE_URL: '' }, kind: 'embedded', drop: async () => rmSync(dataDir, { recursive: true, force: true }) };
}
