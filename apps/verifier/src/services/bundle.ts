/**
 * @module services/bundle
 * Exporting the offline trust bundle (issue 4 §3): every trusted issuer with its keys and types,
 * the registry itself (so wallets trust its attestations), every relying-party registration, and
 * the current Status List Token of every list the issuers publish — each token verified with its
 * issuer's key before it is included (a list that cannot be fetched or verified is left out: the
 * device will then report those credentials' status as unknown). Signed with the registry key;
 * devices pin `/.well-known/jwks.json`. Built at most once a minute.
 *
 * With the trust ledger the bundle also carries the verified ledger snapshot it was made from
 * (`ledger: { ledger_id, tree_size, root_hash, log_key, snapshot }`), so that an offline device
 * evaluates issuers and relying parties from the same ledger data, with the ledger's rules; the
 * issuer and party lists (what the ledger has in force now) stay for earlier readers, and the
 * status lists are those the issuers anchored on the ledger.
 */
import { verifyStatusListToken } from '@openmid/core/status-list';
import { safeError } from '@openmid/server-kit';
import {
  createTrustBundle,
  ledgerTrustData,
  pickKey,
  type RelyingPartyRegistration,
  type TrustBundleLedger,
  type TrustedIssuer,
  verifierForKey,
} from '@openmid/verifier';
import type { VerifierContext } from '../context.js';
import { listIssuers, listRelyingParties } from '../registry/registry.js';

const MAX_LIST_BYTES = 16 * 1024 * 1024;

/**
 * The current signed trust bundle (compact JWS text).
 *
 * @example
 * ```ts
 * const bundle = await exportTrustBundle(ctx)
 * ```
 */
export async function exportTrustBundle(
  ctx: VerifierContext,
  options: { readonly fresh?: boolean } = {},
): Promise<string> {
  const now = ctx.clock();
  const cache = ctx.caches.bundle;
  if (options.fresh !== true && cache.value !== undefined && cache.until > now) return cache.value;
  let issuers: readonly TrustedIssuer[];
  let relyingParties: readonly RelyingPartyRegistration[];
  let ledger: TrustBundleLedger | undefined;
  if (ctx.ledger !== undefined) {
    // Fails closed (503) when the ledger view is older than its maximum age.
    const view = await ctx.ledger.trust.view();
    ({ issuers, relyingParties } = ledgerTrustData(view.state, now));
    ledger = {
      ledgerId: view.head.ledgerId,
      treeSize: view.head.treeSize,
      rootHash: view.head.rootHash,
      logKey: ctx.ledger.logKey,
      snapshot: view.snapshot,
    };
  } else {
    issuers = await listIssuers(ctx);
    relyingParties = (await listRelyingParties(ctx)).map((r) => r.registration);
  }
  const statusLists: { uri: string; token: string }[] = [];
  for (const issuer of issuers) {
    for (const uri of issuer.statusLists ?? []) {
      try {
        const token = await ctx.outbound.text(uri, 'application/statuslist+jwt', MAX_LIST_BYTES);
        await verifyStatusListToken(token, {
          uri,
          now,
          key: (header) =>
            verifierForKey(pickKey({ keys: issuer.keys }, header.kid, 'ERR_STATUS_UNKNOWN')),
        });
        statusLists.push({ uri, token });
      } catch (e) {
        ctx.logger.warn(
          { err: safeError(e), issuer: issuer.id },
          'status list left out of the trust bundle',
        );
      }
    }
  }
  const text = await createTrustBundle(
    {
      issuers: [...issuers, ctx.trust.registryRecord],
      relyingParties,
      statusLists,
      ...(ledger === undefined ? {} : { ledger }),
    },
    {
      signer: ctx.registry.signer,
      iss: ctx.urls.base,
      now,
      maxAge: {
        issuers: ctx.config.VERIFIER_BUNDLE_MAX_AGE,
        relyingParties: ctx.config.VERIFIER_BUNDLE_MAX_AGE,
        statusLists: ctx.config.VERIFIER_BUNDLE_STATUS_MAX_AGE,
      },
    },
  );
  cache.value = text;
  cache.until = now + 60;
  return text;
}
