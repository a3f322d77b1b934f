/**
 * Hardhat 2.28 configuration for the tests' local JSON-RPC node (TOOLCHAIN.md). Osaka is the
 * default hardfork: it includes the P256VERIFY precompile at 0x0100 (EIP-7951), which the registry
 * contract uses to check governance and issuer signatures.
 */
module.exports = {
  networks: {
    hardhat: {
      hardfork: 'osaka',
      chainId: 31337,
      mining: { auto: true, interval: 0 },
    },
  },
};
