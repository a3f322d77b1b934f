/**
 * @module registry/iacas
 * The IACA roots the verifier checks mdoc document-signer certificates against (ISO/IEC 18013-5
 * §9.3.3), each bound to the issuer (`iss`) it belongs to — the first of the two mdoc trust checks;
 * the second, decisive one is the trust source's (the ledger's): the DS key must be a registered
 * key of that issuer, allowed the doctype (`@openmid/verifier` `mdoc/trust.ts`). Sources:
 *
 * - `VERIFIER_IACA_FILE`: JSON `[{ "iss": "https://…", "pem": "-----BEGIN CERTIFICATE-----…" }]`;
 * - an issuer's own registration port (`verifierTrustRegistration`, the announcement's `iacas`);
 * - discovery (`VERIFIER_IACA_DISCOVERY`, default on): for every issuer the trust source trusts
 *   with an mdoc doctype, its `GET <iss>/iaca` (outbound rules: https only, no private addresses,
 *   bounded size and time in production). Only issuers already trusted are asked, and an IACA
 *   fetched this way can only ever vouch for keys the trust source registers for THAT issuer, so
 *   a forged `/iaca` answer makes nothing verify; refreshed every 10 minutes, failures keep the
 *   last good set.
 */
import { readFileSync } from 'node:fs';
import { OpenMidError } from '@openmid/core/errors';
import { MDL_DOCTYPE, parseCertificate, pemToDer } from '@openmid/core/mdoc';
import type { Logger } from '@openmid/server-kit';
import {
  createMdocIssuerTrust,
  type MdocIaca,
  type MdocIssuerTrust,
  type TrustedIssuer,
} from '@openmid/verifier';
import type { Outbound } from '../services/outbound.js';

/** The verifier's IACA roots. */
export interface VerifierIacas {
  /** The IACA trust now (discovering first when nothing is known yet); undefined when empty. */
  trust(): Promise<MdocIssuerTrust | undefined>;
  /** Trust `pems` as IACAs of `iss` (configuration, an issuer's own registration). */
  add(iss: string, pems: readonly string[]): Promise<void>;
  /** Discover the IACAs of the trusted mdoc issuers now. */
  refresh(): Promise<void>;
  /** Every IACA in force (public data: `GET /v1/iacas`). */
  list(): Promise<readonly { readonly iss: string; readonly pem: string }[]>;
}

/** Options of {@link createVerifierIacas}. */
export interface VerifierIacaOptions {
  /** `VERIFIER_IACA_FILE`. */
  readonly file?: string;
  /** `VERIFIER_IACA_DISCOVERY`. */
  readonly discovery: boolean;
  /** The issuers trusted now (from the registry or the ledger). */
  readonly issuers: () => Promise<readonly TrustedIssuer[]>;
  readonly outbound: Outbound;
  readonly logger: Logger;
  /** Milliseconds between discoveries (default 10 minutes). */
  readonly refreshMs?: number;
  /** Document types whose issuers are asked for an IACA (default: the mDL). */
  readonly doctypes?: readonly string[];
}

function onePem(pem: string): string {
  const ders = pemToDer(pem);
  const der = ders[0];
  if (ders.length !== 1 || der === undefined)
    throw new OpenMidError('ERR_MDOC_CERTIFICATE_INVALID', 'One IACA certificate per entry');
  const cert = parseCertificate(der);
  if (cert.basicConstraints?.ca !== true)
    throw new OpenMidError('ERR_MDOC_CERTIFICATE_INVALID', 'An IACA certificate must be a CA');
  return pem.trim();
}

/** Read `VERIFIER_IACA_FILE`. */
function readFile(path: string): MdocIaca[] {
  const listed = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  if (!Array.isArray(listed))
    throw new OpenMidError('ERR_CONFIG_INVALID', 'VERIFIER_IACA_FILE must hold a JSON array');
  return listed.map((e) => {
    const o = e as { iss?: unknown; pem?: unknown };
    if (typeof o.iss !== 'string' || typeof o.pem !== 'string')
      throw new OpenMidError('ERR_CONFIG_INVALID', 'Each VERIFIER_IACA_FILE entry is { iss, pem }');
    return { iss: o.iss, certificate: onePem(o.pem) };
  });
}

/**
 * The verifier's IACA roots (see the module comment).
 *
 * @example
 * ```ts
 * const iacas = createVerifierIacas({ discovery: true, issuers: () => listIssuers(ctx), outbound, logger })
 * const trust = await iacas.trust()
 * ```
 */
export function createVerifierIacas(options: VerifierIacaOptions): VerifierIacas {
  const configured = new Map<string, MdocIaca>();
  for (const e of options.file === undefined ? [] : readFile(options.file))
    configured.set(`${e.iss}\u0000${e.certificate as string}`, e);
  let discovered = new Map<string, MdocIaca>();
  let built: { key: string; trust: MdocIssuerTrust | undefined } | undefined;
  let lastDiscovery = 0;
  let running: Promise<void> | undefined;
  const refreshMs = options.refreshMs ?? 600_000;
  const doctypes = options.doctypes ?? [MDL_DOCTYPE];

  const all = (): MdocIaca[] => [...configured.values(), ...discovered.values()];

  const discover = async (): Promise<void> => {
    if (!options.discovery) return;
    const next = new Map<string, MdocIaca>();
    const issuers = (await options.issuers()).filter((i) =>
      i.types.some((t) => doctypes.includes(t)),
    );
    for (const issuer of issuers) {
      try {
        const pem = onePem(
          await options.outbound.text(
            `${issuer.id.replace(/\/+$/, '')}/iaca`,
            'application/x-pem-file',
            64 * 1024,
          ),
        );
        next.set(`${issuer.id}\u0000${pem}`, { iss: issuer.id, certificate: pem });
      } catch (e) {
        // Keep what this issuer had: a transient failure must not drop a working root.
        for (const [k, v] of discovered) if (v.iss === issuer.id) next.set(k, v);
        options.logger.warn(
          { iss: issuer.id, errorCode: (e as { code?: string }).code ?? 'ERR_INTERNAL' },
          'IACA discovery failed',
        );
      }
    }
    discovered = next;
    lastDiscovery = Date.now();
  };

  const refresh = (): Promise<void> => {
    running ??= discover().finally(() => {
      running = undefined;
    });
    return running;
  };

  return {
    async trust() {
      if (options.discovery) {
        if (lastDiscovery === 0 || (discovered.size === 0 && Date.now() - lastDiscovery > 5_000))
          await refresh();
        else if (Date.now() - lastDiscovery > refreshMs) void refresh().catch(() => undefined);
      }
      const entries = all();
      const key = entries.map((e) => `${e.iss}\u0000${e.certificate as string}`).join('\u0001');
      if (built?.key === key) return built.trust;
      const trust = entries.length === 0 ? undefined : await createMdocIssuerTrust(entries);
      built = { key, trust };
      return trust;
    },
    async add(iss, pems) {
      for (const pem of pems) {
        const p = onePem(pem);
        configured.set(`${iss}\u0000${p}`, { iss, certificate: p });
      }
    },
    refresh,
    async list() {
      await this.trust();
      return all().map((e) => ({ iss: e.iss, pem: e.certificate as string }));
    },
  };
}
