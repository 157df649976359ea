import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * A connector's secrets at rest (issue 15): AES-256-GCM over their JSON, sealed to the connector's id (additional data),
 * so a ciphertext copied onto another row does not open there. Stored as `v1.<key id>.<iv>.<tag>.<ciphertext>`
 * (base64url): the key id (first 8 bytes of SHA-256 of the key) says which INTEGRATIONS_KEY a value needs, and
 * reveals nothing of it.
 */
export class SecretBox {
  readonly keyId: string;

  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('an AES-256 key is 32 bytes');
    this.keyId = createHash('sha256').update(key).digest('hex').slice(0, 16);
  }

  seal(secrets: Record<string, string>, boundTo: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(`integration:${boundTo}`));
    const sealed = Buffer.concat([cipher.update(JSON.stringify(secrets), 'utf8'), cipher.final()]);
    return ['v1', this.keyId, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), sealed.toString('base64url')].join('.');
  }

  open(value: string, boundTo: string): Record<string, string> {
    const [version, keyId, iv, tag, sealed] = value.split('.');
    if (version !== 'v1' || sealed === undefined) throw new SecretBoxError('the stored secrets are not in a known format');
    if (keyId !== this.keyId) {
      throw new SecretBoxError(`the secrets were encrypted with another INTEGRATIONS_KEY (key id ${keyId}; this one is ${this.keyId}): set that key, or enter the secrets again`);
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(`integration:${boundTo}`));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return JSON.parse(Buffer.concat([decipher.update(Buffer.from(sealed, 'base64url')), decipher.final()]).toString('utf8'));
    } catch {
      throw new SecretBoxError('the stored secrets do not open with this key (changed or damaged)');
    }
  }
}

export class SecretBoxError extends Error {}
