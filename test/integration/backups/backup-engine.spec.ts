import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { PGlite } from '@electric-sql/pglite';
import { Client } from 'pg';
import { backupKeyFrom, decryptStream, encryptStream } from '../../../src/backups/backup-crypto';
import { type BackupSource, restoreIntoScratch, takeBackup } from '../../../src/backups/backup-engine';
import { compareManifests } from '../../../src/backups/backup-manifest';
import { createScratchDatabase } from '../../../src/database/database-url';
import { TEST_DATABASE_URL } from '../../helpers/test-database';

const KEY = backupKeyFrom('correct horse battery staple 0123456789');
const OTHER_KEY = backupKeyFrom('another key entirely, also long enough');
const SCHEMA = [
  `CREATE TABLE item (id int PRIMARY KEY, name text NOT NULL, price numeric(12,2), at timestamptz NOT NULL DEFAULT '2026-01-02T03:04:05+08:00')`,
  `INSERT INTO item (id, name, price) SELECT i, '商品 ' || i, i * 1.25 FROM generate_series(1, 3000) AS i`,
  `CREATE TABLE note (body text)`,
  `INSERT INTO note VALUES ('没有主键'), ('no primary key'), (NULL)`,
];

const collect = async (stream: Readable) => {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

describe('backup encryption (AES-256-GCM in authenticated chunks)', () => {
  const plain = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7919) % 251));
  const encrypt = (data: Buffer) => collect(Readable.from([data.subarray(0, 1000), data.subarray(1000)]).pipe(encryptStream(KEY, 64 * 1024)));

  it('round-trips, with the key id in the header and no plaintext in the file', async () => {
    const sealed = await encrypt(plain);
    expect(sealed.subarray(0, 8).toString()).toBe('OMSBKENC');
    expect(sealed.subarray(8, 16).toString('hex')).toBe(KEY.id);
    expect(sealed.includes(plain.subarray(5000, 5064))).toBe(false);
    expect((await collect(Readable.from([sealed]).pipe(decryptStream(KEY)))).equals(plain)).toBe(true);
  });

  it('refuses without the key, with another key, after any flipped byte and when truncated', async () => {
    const sealed = await encrypt(plain);
    await expect(collect(Readable.from([sealed]).pipe(decryptStream(null)))).rejects.toThrow(/encrypted \(key id [0-9a-f]{16}\)/);
    await expect(collect(Readable.from([sealed]).pipe(decryptStream(OTHER_KEY)))).rejects.toThrow(/key id/);
    for (const at of [20, 30, 5000, 100_000, sealed.length - 3]) {
      const damaged = Buffer.from(sealed);
      damaged[at] ^= 0x01;
      await expect(collect(Readable.from([damaged]).pipe(decryptStream(KEY)))).rejects.toThrow();
    }
    await expect(collect(Readable.from([sealed.subarray(0, sealed.length - 20)]).pipe(decryptStream(KEY)))).rejects.toThrow(/truncated/);
    const lastChunkAt = 28 + 4 * (4 + 64 * 1024 + 16); // 300,000 bytes = 4 full chunks of 64 KiB + the last
    await expect(collect(Readable.from([sealed.subarray(0, lastChunkAt)]).pipe(decryptStream(KEY)))).rejects.toThrow(/truncated/);
  });
});

describe.each([
  ...(TEST_DATABASE_URL ? [{ engine: 'postgresql' as const }] : []),
  { engine: 'pglite' as const },
])('an encrypted backup of $engine restores only with its key', ({ engine }) => {
  const dir = mkdtempSync(join(tmpdir(), 'oms-backup-engine-'));
  let source: BackupSource;
  let close: () => Promise<void>;

  beforeAll(async () => {
    if (engine === 'postgresql') {
      const scratch = await createScratchDatabase(TEST_DATABASE_URL!, 'oms_backup_src');
      const client = new Client({ connectionString: scratch.url });
      await client.connect();
      for (const statement of SCHEMA) await client.query(statement);
      await client.end();
      source = { engine, url: scratch.url };
      close = () => scratch.drop();
    } else {
      const db = await PGlite.create();
      for (const statement of SCHEMA) await db.exec(statement);
      source = { engine, db };
      close = () => db.close();
    }
  });
  afterAll(async () => {
    await close?.();
    rmSync(dir, { recursive: true, force: true });
  });

  it('takes it, restores it into a scratch database with the key and finds every table as it was; without the key, or with another, or with a flipped byte: no', async () => {
    const finalPath = join(dir, `backup-${engine}.enc`);
    const taken = await takeBackup(source, { tempPath: `${finalPath}.partial`, finalPath }, KEY);
    expect(taken.keyId).toBe(KEY.id);
    expect(taken.manifest.tables.item.rows).toBe(3000);
    expect(taken.manifest.tables.note.rows).toBe(3);
    expect(readFileSync(finalPath).subarray(0, 8).toString()).toBe('OMSBKENC');

    const postgres = engine === 'postgresql' ? TEST_DATABASE_URL! : null;
    const restored = await restoreIntoScratch(finalPath, KEY, postgres);
    expect(compareManifests(taken.manifest, restored)).toEqual([]);

    await expect(restoreIntoScratch(finalPath, null, postgres)).rejects.toThrow(/set BACKUP_KEY/);
    await expect(restoreIntoScratch(finalPath, OTHER_KEY, postgres)).rejects.toThrow(/key id/);
    const bytes = readFileSync(finalPath);
    bytes[Math.floor(bytes.length / 2)] ^= 0x40;
    writeFileSync(finalPath, bytes);
    await expect(restoreIntoScratch(finalPath, KEY, postgres)).rejects.toThrow(/fails authentication/);
  });

  it('the manifest tells a changed row from an unchanged one', async () => {
    const finalPath = join(dir, `plain-${engine}`);
    const taken = await takeBackup(source, { tempPath: `${finalPath}.partial`, finalPath }, null);
    const changed = structuredClone(taken.manifest);
    changed.tables.item.checksum = String(BigInt(changed.tables.item.checksum) + 1n);
    delete changed.tables.note;
    const differences = compareManifests(changed, await restoreIntoScratch(finalPath, null, engine === 'postgresql' ? TEST_DATABASE_URL! : null));
    expect(differences).toEqual([expect.stringMatching(/^table item: the rows' checksum differs/), 'table note is not in the backup']);
  });
});
