/**
 * @module crypto/record
 * Personal data at rest, encrypted per record (DESIGN.md §4): AES-256-GCM (NIST SP 800-38D) with a
 * fresh random 96-bit nonce per encryption (§8.2.2: random IVs of 96 bits, and far fewer than 2^32
 * encryptions per key), a 128-bit tag, and associated data binding the ciphertext to its place:
 * the envelope version, the key id, the table and the record id. A ciphertext copied into another
 * row (or another table) no longer opens.
 *
 * Envelope (a string, so it fits a `text` column on both backends):
 * `omr1.<key id>.<base64url(nonce ‖ ciphertext ‖ tag)>`. The key id selects the key in the
 * {@link Kms} key ring: records sealed before a rotation still open, new records use the current
 * key, and `needsRotation` tells which records to re-seal.
 *
 * Every failure to open — malformed envelope, wrong table or id, edited byte, wrong key — is the
 * same ERR_RECORD_DECRYPT_FAILED with no detail (an unknown key id is ERR_KMS_KEY_UNAVAILABLE,
 * an operations problem rather than a forgery).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { OpenMidError } from '@openmid/core/errors';
import type { Kms } from './kms.js';

/** Where a record lives: the associated data of its ciphertext. */
export interface RecordPlace {
  readonly table: string;
  readonly id: string;
}

/** Seals and opens records. */
export interface RecordCipher {
  seal(plaintext: Uint8Array | string, place: RecordPlace): Promise<string>;
  open(envelope: string, place: RecordPlace): Promise<Uint8Array>;
  openText(envelope: string, place: RecordPlace): Promise<string>;
  sealJson(value: unknown, place: RecordPlace): Promise<string>;
  openJson<T = unknown>(envelope: string, place: RecordPlace): Promise<T>;
  /** True when the envelope was sealed under another key than the current one. */
  needsRotation(envelope: string): boolean;
}

const VERSION = 'omr1';
const NONCE = 12;
const TAG = 16;
const KID = /^[A-Za-z0-9_-]{1,64}$/;

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

/** Length-prefixed fields, so that ("a.b", "c") and ("a", "b.c") differ. */
function associatedData(keyId: string, place: RecordPlace): Buffer {
  const parts = [VERSION, keyId, place.table, place.id].map((s) => Buffer.from(s, 'utf8'));
  return Buffer.concat(parts.flatMap((p) => [u32(p.length), p]));
}

function checkPlace(place: RecordPlace): void {
  if (
    typeof place.table !== 'string' ||
    typeof place.id !== 'string' ||
    place.table === '' ||
    place.id === '' ||
    place.table.length > 128 ||
    place.id.length > 256
  ) {
    throw new OpenMidError('ERR_INPUT_INVALID', 'A record place needs a table and an id');
  }
}

function decryptFailed(): OpenMidError {
  return new OpenMidError('ERR_RECORD_DECRYPT_FAILED', 'Record could not be decrypted');
}

function parse(envelope: string): { keyId: string; blob: Buffer } | undefined {
  if (typeof envelope !== 'string' || envelope.length > 16 * 1024 * 1024) return undefined;
  const parts = envelope.split('.');
  if (parts.length !== 3 || parts[0] !== VERSION) return undefined;
  const [, keyId = '', data = ''] = parts;
  if (!KID.test(keyId) || !/^[A-Za-z0-9_-]+$/.test(data)) return undefined;
  const blob = Buffer.from(data, 'base64url');
  if (blob.length < NONCE + TAG || blob.toString('base64url') !== data) return undefined;
  return { keyId, blob };
}

/**
 * A record cipher over a {@link Kms}. Keys are fetched once per id and cached.
 *
 * @example
 * ```ts
 * const sealed = await cipher.sealJson(claims, { table: 'citizens', id: citizenId })
 * const claims = await cipher.openJson(row.claims, { table: 'citizens', id: row.id })
 * ```
 */
export function createRecordCipher(kms: Kms): RecordCipher {
  const cache = new Map<string, Promise<Uint8Array>>();
  const key = (keyId: string): Promise<Uint8Array> => {
    let k = cache.get(keyId);
    if (k === undefined) {
      k = kms.dataKey(keyId).then((bytes) => {
        if (bytes.length !== 32) {
          throw new OpenMidError('ERR_KMS_KEY_INSECURE', 'A record key must be 32 bytes');
        }
        return bytes;
      });
      k.catch(() => cache.delete(keyId));
      cache.set(keyId, k);
    }
    return k;
  };

  const cipher: RecordCipher = {
    async seal(plaintext, place) {
      checkPlace(place);
      const keyId = kms.currentKeyId();
      const nonce = randomBytes(NONCE);
      const c = createCipheriv('aes-256-gcm', await key(keyId), nonce, { authTagLength: TAG });
      c.setAAD(associatedData(keyId, place));
      const data = typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext;
      const ct = Buffer.concat([c.update(data), c.final()]);
      const blob = Buffer.concat([nonce, ct, c.getAuthTag()]);
      return `${VERSION}.${keyId}.${blob.toString('base64url')}`;
    },
    async open(envelope, place) {
      checkPlace(place);
      const parsed = parse(envelope);
      if (parsed === undefined) throw decryptFailed();
      const k = await key(parsed.keyId); // ERR_KMS_KEY_UNAVAILABLE when the id is unknown
      const { blob } = parsed;
      try {
        const d = createDecipheriv('aes-256-gcm', k, blob.subarray(0, NONCE), {
          authTagLength: TAG,
        });
        d.setAAD(associatedData(parsed.keyId, place));
        d.setAuthTag(blob.subarray(blob.length - TAG));
        const pt = Buffer.concat([d.update(blob.subarray(NONCE, blob.length - TAG)), d.final()]);
        return new Uint8Array(pt.buffer, pt.byteOffset, pt.byteLength);
      } catch {
        throw decryptFailed();
      }
    },
    async openText(envelope, place) {
      const bytes = await cipher.open(envelope, place);
      try {
        return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      } catch {
        throw decryptFailed();
      }
    },
    sealJson(value, place) {
      return cipher.seal(JSON.stringify(value), place);
    },
    async openJson<T>(envelope: string, place: RecordPlace) {
      const text = await cipher.openText(envelope, place);
      try {
        return JSON.parse(text) as T;
      } catch {
        throw decryptFailed();
      }
    },
    needsRotation(envelope) {
      const parsed = parse(envelope);
      return parsed === undefined || parsed.keyId !== kms.currentKeyId();
    },
  };
  return cipher;
}
