import sharp from 'sharp';
import { ValidationError } from '../common/errors';

export type EvidenceType = 'image/jpeg' | 'image/png' | 'image/webp';

/** A 48-megapixel phone photo fits; a small file claiming 20,000 × 20,000 pixels (a decompression bomb) does not. */
export const MAX_EVIDENCE_PIXELS = 64_000_000;

// nothing is kept between checks: every upload is a different file
sharp.cache(false);

/** The image type from the file's first bytes (a name or a declared type proves nothing). */
export function imageTypeOf(bytes: Buffer): EvidenceType | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (bytes.length >= 12 && bytes.subarray(0, 4).toString('latin1') === 'RIFF' && bytes.subarray(8, 12).toString('latin1') === 'WEBP') return 'image/webp';
  return null;
}

/**
 * Evidence must be a whole JPEG, PNG or WebP image: the type is read from the first bytes, then every pixel is decoded
 * (libvips through sharp, streaming, so memory stays small) — a valid header followed by garbage, a truncated file or
 * an oversized canvas is a 422. Formats without checksums (JPEG, lossy WebP) can still decode damaged data as noise.
 */
export async function checkEvidenceImage(bytes: Buffer): Promise<EvidenceType> {
  const type = imageTypeOf(bytes);
  if (!type) throw ValidationError.of('file', 'must be a JPEG, PNG or WebP image');
  try {
    await sharp(bytes, { failOn: 'error', sequentialRead: true, limitInputPixels: MAX_EVIDENCE_PIXELS }).stats();
  } catch (error) {
    const reason = error instanceof Error && /pixel limit/i.test(error.message) ? `is larger than ${MAX_EVIDENCE_PIXELS / 1_000_000} megapixels` : 'does not decode as a whole image (damaged or truncated)';
    throw ValidationError.of('file', `${reason}: upload the photo again`);
  }
  return type;
}
