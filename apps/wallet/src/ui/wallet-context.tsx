/**
 * @module ui/wallet-context
 * The wallet object and the app-level actions (re-read the vault state, lock) for every screen.
 */
import { createContext, useContext } from 'react';
import type { Wallet } from '../wallet/wallet.js';

/** What the context carries. */
export interface WalletContextValue {
  readonly wallet: Wallet;
  /** Re-read the vault state (after set-up, unlock, reset). */
  refresh(): Promise<void>;
  lock(): void;
}

/** The context. */
export const WalletContext: React.Context<WalletContextValue | undefined> = createContext<
  WalletContextValue | undefined
>(undefined);

/** The wallet and app actions. */
export function useWallet(): WalletContextValue {
  const v = useContext(WalletContext);
  if (v === undefined) throw new Error('useWallet outside the app');
  return v;
}
