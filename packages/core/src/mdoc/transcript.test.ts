/**
 * SessionTranscript builders against the OpenID4VP 1.0 Appendix B.2.6 examples
 * (packages/core/test/vectors/openid4vp-1.0/handover_vectors.json), and the reading of
 * SessionTranscriptBytes received from a peer.
 */
import { describe, expect, test } from 'vitest';
import vectors from '../../test/vectors/openid4vp-1.0/handover_vectors.json' with { type: 'json' };
import { defaultCrypto } from '../crypto/default.js';
import { fromHex, toHex, utf8 } from '../internal/bytes.js';
import { encodeCbor } from './cbor/encode.js';
import {
  openid4vpDcApiSessionTranscript,
  openid4vpSessionTranscript,
  sessionTranscriptFromBytes,
} from './transcript.js';

const hex = (h: string): Uint8Array => fromHex(h) as Uint8Array;
const jwk = vectors.verifier_encryption_jwk;
// RFC 7638 §3.2: the required members of an EC key in lexicographic order, no whitespace.
const thumbprint = defaultCrypto().digest(
  'sha-256',
  utf8(`{"crv":"${jwk.crv}","kty":"${jwk.kty}","x":"${jwk.x}","y":"${jwk.y}"}`),
);

describe('OpenID4VP 1.0 handovers (Appendix B.2.6)', () => {
  test('the example thumbprint is the RFC 7638 thumbprint of the verifier key', () => {
    expect(toHex(thumbprint)).toBe(vectors.jwk_sha256_thumbprint_hex);
  });

  test('redirect flow: OpenID4VPHandoverInfo, OpenID4VPHandover and SessionTranscript', () => {
    const r = vectors.redirect_flow;
    const info = encodeCbor([
      r.inputs.client_id,
      r.inputs.nonce,
      thumbprint,
      r.inputs.response_uri,
    ]);
    expect(toHex(info)).toBe(r.OpenID4VPHandoverInfo_hex);
    const t = openid4vpSessionTranscript({
      clientId: r.inputs.client_id,
      nonce: r.inputs.nonce,
      jwkThumbprint: thumbprint,
      responseUri: r.inputs.response_uri,
    });
    expect(toHex(t.bytes)).toBe(r.SessionTranscript_hex);
    expect(toHex(t.bytes)).toContain(r.OpenID4VPHandover_hex);
    // SessionTranscriptBytes wrap it in tag 24 (18013-5 §9.1.5.1).
    expect(toHex(t.tagged)).toBe(
      `d81858${(t.bytes.length).toString(16)}${r.SessionTranscript_hex}`,
    );
  });

  test('Digital Credentials API flow', () => {
    const d = vectors.dc_api_flow;
    const info = encodeCbor([d.inputs.origin, d.inputs.nonce, thumbprint]);
    expect(toHex(info)).toBe(d.OpenID4VPDCAPIHandoverInfo_hex);
    const t = openid4vpDcApiSessionTranscript({
      origin: d.inputs.origin,
      nonce: d.inputs.nonce,
      jwkThumbprint: thumbprint,
    });
    expect(toHex(t.bytes)).toBe(d.SessionTranscript_hex);
  });

  test('every input changes the transcript; no thumbprint means null', () => {
    const base = {
      clientId: 'x509_san_dns:rp.example',
      nonce: 'n-1',
      responseUri: 'https://rp.example/cb',
    };
    const all = [
      openid4vpSessionTranscript(base),
      openid4vpSessionTranscript({ ...base, clientId: 'x509_san_dns:rp2.example' }),
      openid4vpSessionTranscript({ ...base, nonce: 'n-2' }),
      openid4vpSessionTranscript({ ...base, responseUri: 'https://rp.example/cb2' }),
      openid4vpSessionTranscript({ ...base, jwkThumbprint: thumbprint }),
    ].map((t) => toHex(t.bytes));
    expect(new Set(all).size).toBe(all.length);
    expect(() => openid4vpSessionTranscript({ ...base, nonce: '' })).toThrow(
      expect.objectContaining({ code: 'ERR_INPUT_INVALID' }),
    );
    expect(() =>
      openid4vpSessionTranscript({ ...base, jwkThumbprint: new Uint8Array(20) }),
    ).toThrow(expect.objectContaining({ code: 'ERR_INPUT_INVALID' }));
  });
});

describe('SessionTranscript bytes from a peer', () => {
  test('accepts SessionTranscriptBytes and the bare array, keeping the bytes', () => {
    const bare = hex(vectors.redirect_flow.SessionTranscript_hex);
    const fromBare = sessionTranscriptFromBytes(bare);
    const fromTagged = sessionTranscriptFromBytes(fromBare.tagged);
    expect(fromTagged.bytes).toEqual(bare);
    expect(fromTagged.tagged).toEqual(fromBare.tagged);
  });

  test.each([
    ['not CBOR', 'ff'],
    ['not an array', 'a0'],
    ['a 2-element array', '82f6f6'],
    ['DeviceEngagementBytes not tag 24', '8340f6f6'],
    ['tag 24 around a map', 'd81841a0'],
  ])('rejects %s', (_name, h) => {
    expect(() => sessionTranscriptFromBytes(hex(h))).toThrow(
      expect.objectContaining({ code: 'ERR_MDOC_TRANSCRIPT_INVALID' }),
    );
  });
});
