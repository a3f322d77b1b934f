import { providerContract } from '../../test/provider-contract.js';
import { webCryptoProvider } from './webcrypto.js';

providerContract(webCryptoProvider);
