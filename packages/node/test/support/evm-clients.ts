/** An in-process EVM with a funded anchoring account, and viem clients over it. */
import { createPublicClient, createWalletClient, custom, defineChain } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { InProcessEvm } from '../../src/adapters/in-process-evm.ts';

/** A fresh chain with a funded anchoring account, and viem clients over it. */
export async function evmClients() {
  const account = privateKeyToAccount(`0x${'42'.repeat(32)}`);
  const evm = await InProcessEvm.create({ fund: [account.address] });
  const chain = defineChain({
    id: evm.chainId,
    name: 'in-process',
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [] } },
  });
  const transport = custom({ request: evm.request });
  return {
    evm,
    account,
    publicClient: createPublicClient({ chain, transport, pollingInterval: 10 }),
    walletClient: createWalletClient({ chain, transport, account }),
  };
}
