import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

/**
 * Encrypted backup files (BACKUP_KEY set): AES-256-GCM in authenticated chunks, so that a file is streamed in and out
 * without ever being held whole, and a flipped, dropped, reordered or truncated byte anywhere fails decryption.
 *
 *   header  = MAGIC (8) | key id (8) | nonce prefix (8) | chunk size (4, uint32 BE)                  = 28 bytes
 *   chunk i = length word (4, uint32 BE: plaintext length, top bit set on the last chunk) | ciphertext | tag (16)
 *   nonce i = nonce prefix | i (uint32 BE);  AAD i = header | i | length word
 *
 * The key id (the first 8 bytes of SHA-256 of the derived key) says which BACKUP_KEY the file needs, and reveals nothing
 * of it; without the key the file is useless. The last chunk carries the final bit (an empty one if need be), so a
 * file cut at a chunk boundary is refused too.
 */
export const ENCRYPTED_MAGIC = Buffer.from('OMSBKENC');
const HEADER_BYTES = 28;
const TAG_BYTES = 16;
const FINAL = 0x8000_0000;
export const CHUNK_BYTES = 1 << 20;

export interface BackupKey {
  key: Buffer;
  /** 16 hex digits; printed in the file header and recorded with the backup. */
  id: string;
}

/** BACKUP_KEY (any string of at least 16 characters; `openssl rand -hex 32` makes a good one) → the AES-256 key and its id. */
export function backupKeyFrom(secret: string): BackupKey {
  const key = Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), Buffer.from('oms-backup'), Buffer.from('aes-256-gcm v1'), 32));
  return { key, id: createHash('sha256').update(key).digest('hex').slice(0, 16) };
}

export class BackupKeyError extends Error {}

/** Plaintext in, the encrypted file out. */
export function encryptStream(backupKey: BackupKey, chunkBytes = CHUNK_BYTES): Transform {
  const header = Buffer.alloc(HEADER_BYTES);
  ENCRYPTED_MAGIC.copy(header, 0);
  Buffer.from(backupKey.id, 'hex').copy(header, 8);
  randomBytes(8).copy(header, 16);
  header.writeUInt32BE(chunkBytes, 24);
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let counter = 0;
  let headerSent = false;

  const seal = (plain: Buffer, final: boolean): Buffer => {
    const lengthWord = Buffer.alloc(4);
    lengthWord.writeUInt32BE((plain.length | (final ? FINAL : 0)) >>> 0);
    const index = Buffer.alloc(4);
    index.writeUInt32BE(counter++);
    const cipher = createCipheriv('aes-256-gcm', backupKey.key, Buffer.concat([header.subarray(16, 24), index]));
    cipher.setAAD(Buffer.concat([header, index, lengthWord]));
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return Buffer.concat([lengthWord, body, cipher.getAuthTag()]);
  };

  return new Transform({
    transform(data: Buffer, _encoding, done: TransformCallback) {
      if (!headerSent) {
        this.push(header);
        headerSent = true;
      }
      pending.push(data);
      pendingBytes += data.length;
      // a chunk is sealed only once more data follows it: the last one must carry the final bit
      while (pendingBytes > chunkBytes) {
        const all = Buffer.concat(pending);
        this.push(seal(all.subarray(0, chunkBytes), false));
        pending = [all.subarray(chunkBytes)];
        pendingBytes = pending[0].length;
      }
      done();
    },
    flush(done: TransformCallback) {
      if (!headerSent) this.push(header);
      this.push(seal(Buffer.concat(pending), true));
      done();
    },
  });
}

/** The encrypted file in, the plaintext out; fails (an error on the stream) on the wrong key or any change to the file. */
export function decryptStream(backupKey: BackupKey | null): Transform {
  let buffer: Buffer = Buffer.alloc(0);
  let header: Buffer | null = null;
  let counter = 0;
  let finished = false;
  let chunkBytes = 0;

  return new Transform({
    transform(data: Buffer, _encoding, done: TransformCallback) {
      buffer = buffer.length ? Buffer.concat([buffer, data]) : data;
      try {
        if (!header) {
          if (buffer.length < HEADER_BYTES) return done();
          header = Buffer.from(buffer.subarray(0, HEADER_BYTES));
          buffer = buffer.subarray(HEADER_BYTES);
          if (!header.subarray(0, 8).equals(ENCRYPTED_MAGIC)) throw new BackupKeyError('not an encrypted OMS backup');
          const fileKeyId = header.subarray(8, 16).toString('hex');
          if (!backupKey) throw new BackupKeyError(`this backup is encrypted (key id ${fileKeyId}): set BACKUP_KEY to the key it was taken with`);
          if (backupKey.id !== fileKeyId) throw new BackupKeyError(`this backup was encrypted with key id ${fileKeyId}, but BACKUP_KEY has key id ${backupKey.id}`);
          chunkBytes = header.readUInt32BE(24);
        }
        while (buffer.length >= 4) {
          if (finished) throw new BackupKeyError('the backup file has data after its last chunk: it was changed');
          const word = buffer.readUInt32BE(0);
          const length = word & ~FINAL;
          if (length > chunkBytes) throw new BackupKeyError(`chunk ${counter} is damaged (length ${length})`);
          if (buffer.length < 4 + length + TAG_BYTES) break;
          const index = Buffer.alloc(4);
          index.writeUInt32BE(counter);
          const decipher = createDecipheriv('aes-256-gcm', backupKey!.key, Buffer.concat([header.subarray(16, 24), index]));
          decipher.setAAD(Buffer.concat([header, index, buffer.subarray(0, 4)]));
          decipher.setAuthTag(buffer.subarray(4 + length, 4 + length + TAG_BYTES));
          let plain: Buffer;
          try {
            plain = Buffer.concat([decipher.update(buffer.subarray(4, 4 + length)), decipher.final()]);
          } catch {
            throw new BackupKeyError(`chunk ${counter} of the backup fails authentication: the file was changed or damaged`);
          }
          buffer = buffer.subarray(4 + length + TAG_BYTES);
          counter++;
          if (word & FINAL) finished = true;
          if (plain.length) this.push(plain);
        }
        done();
      } catch (error) {
        done(error as Error);
      }
    },
    flush(done: TransformCallback) {
      if (!header) return done(new BackupKeyError('the backup file is shorter than its header'));
      if (!finished || buffer.length) return done(new BackupKeyError('the backup file is truncated: its last chunk is missing'));
      done();
    },
  });
}
