/**
 * @module ui
 * The Korean profile's user-interface strings (Korean first, English): the citizen wallet's words
 * and the messages it shows for each error code.
 */
export { MDOC_ELEMENT_LABELS, type MdocElementWords } from './mdoc.js';
export {
  formatString,
  WALLET_ERROR_MESSAGES,
  WALLET_STRINGS,
  type WalletStringKey,
  type WalletStrings,
} from './wallet.js';
