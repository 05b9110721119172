/**
 * The settlement-anchor contract's own rules on an in-process EVM (compiled from
 * `contracts/SettlementAnchor.sol` by solc-js): it is deployed, anchors a finalized root that reads
 * back, refuses a second anchor for the same epoch and anchors from its anchorer only.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BaseError, ContractFunctionRevertedError } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { EvmAnchor, networkIdHash } from '../../src/adapters/evm-anchor.ts';
import { settlementAnchorContract } from '../../src/anchoring/settlement-anchor-contract.ts';
import { statementOf } from '../contracts/anchor-contract.ts';
import { evmClients } from '../support/evm-clients.ts';

const NETWORK = 'scp-chain-test';

function revertName(error: unknown): string | undefined {
  if (!(error instanceof BaseError)) return undefined;
  const revert = error.walk((e) => e instanceof ContractFunctionRevertedError);
  return revert instanceof ContractFunctionRevertedError ? revert.data?.errorName : undefined;
}

test('the contract compiles from source with the pinned solc-js', () => {
  const c = settlementAnchorContract();
  assert.match(c.compiler, /^0\.8\.28\+/);
  assert.ok(c.bytecode.length > 1000);
  const names = c.abi.filter((x) => x.type === 'function').map((x) => ('name' in x ? x.name : ''));
  assert.deepEqual(names.sort(), ['anchor', 'anchorOf', 'anchorer', 'latestEpoch', 'networkId']);
});

test('deploys, anchors a finalized root, reads it back, and refuses a second anchor for the epoch', async () => {
  const clients = await evmClients();
  const anchor = await EvmAnchor.deploy(clients, NETWORK);
  const { abi } = settlementAnchorContract();
  const read = (functionName: string, args: unknown[] = []) =>
    clients.publicClient.readContract({ address: anchor.address, abi, functionName, args });
  assert.equal(await read('networkId'), networkIdHash(NETWORK));
  assert.equal((await read('anchorer')) as string, clients.account.address);

  const s = statementOf(NETWORK, 7, 'c');
  const out = await anchor.anchor(s);
  assert.ok(out.ok);
  const [root, rewards, statement, block] = (await read('anchorOf', [7n])) as [string, string, string, bigint];
  assert.equal(root, `0x${s.settlement_root}`);
  assert.equal(rewards, `0x${s.rewards_root}`);
  assert.equal(statement, `0x${s.statement_hash}`);
  assert.ok(block > 0n);
  assert.equal(await read('latestEpoch'), 7n);

  // The contract itself refuses a second anchor, even with the same roots.
  const args = [7n, `0x${s.settlement_root}`, `0x${s.rewards_root}`, `0x${s.statement_hash}`] as const;
  await assert.rejects(
    clients.publicClient.simulateContract({
      address: anchor.address,
      abi,
      functionName: 'anchor',
      args,
      account: clients.account,
    }),
    (e) => revertName(e) === 'AlreadyAnchored',
  );
  // Sent anyway, the transaction is mined and reverts; the anchor is unchanged.
  const hash = await clients.walletClient.writeContract({
    address: anchor.address,
    abi,
    functionName: 'anchor',
    args,
    gas: 300_000n,
  });
  const receipt = await clients.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 10 });
  assert.equal(receipt.status, 'reverted');
  assert.equal(((await read('anchorOf', [7n])) as bigint[])[3], block);
});

test('only the anchorer may anchor', async () => {
  const clients = await evmClients();
  const anchor = await EvmAnchor.deploy(clients, NETWORK);
  const { abi } = settlementAnchorContract();
  const stranger = privateKeyToAccount(`0x${'17'.repeat(32)}`);
  const s = statementOf(NETWORK, 1);
  await assert.rejects(
    clients.publicClient.simulateContract({
      address: anchor.address,
      abi,
      functionName: 'anchor',
      args: [1n, `0x${s.settlement_root}`, `0x${s.rewards_root}`, `0x${s.statement_hash}`],
      account: stranger,
    }),
    (e) => revertName(e) === 'NotAnchorer',
  );
  assert.equal(await anchor.read(1), undefined);
});

test('an adapter refuses a contract deployed for another network', async () => {
  const clients = await evmClients();
  const anchor = await EvmAnchor.deploy(clients, NETWORK);
  await assert.rejects(EvmAnchor.at(clients, anchor.address, 'another-network'), { code: 'invalid_statement' });
});
