/**
 * The chain `Anchor`: the settlement-anchor contract (`contracts/SettlementAnchor.sol`) on an EVM
 * chain, driven through viem. The contract refuses a second anchor for an epoch, so what is on
 * chain for an epoch never changes; this adapter reads first and reports the same statement as
 * `already` and other roots as `conflict`, as every adapter does.
 */
import { createHash } from 'node:crypto';
import type { Account, Address, Chain, Hex, PublicClient, Transport, WalletClient } from 'viem';
import { settlementAnchorContract } from '../anchoring/settlement-anchor-contract.ts';
import {
  type Anchor,
  type AnchorCheck,
  AnchorError,
  type AnchorOutcome,
  type AnchorReceipt,
  type AnchorStatement,
  checkAnchorStatement,
  compareAnchored,
  sameStatement,
} from '../ports/anchor.ts';

/** The clients the adapter uses: reads through `publicClient`, transactions signed by `walletClient`'s account. */
export type EvmClients = {
  publicClient: PublicClient<Transport, Chain>;
  walletClient: WalletClient<Transport, Chain, Account>;
};

/** SHA-256 of a network id, as the contract's `bytes32 networkId`. */
export function networkIdHash(network_id: string): Hex {
  return `0x${createHash('sha256').update(network_id, 'utf8').digest('hex')}`;
}

const ZERO = `0x${'0'.repeat(64)}`;
const strip = (h: string) => h.slice(2).toLowerCase();

/** The settlement-anchor contract at `address`. */
export class EvmAnchor implements Anchor {
  readonly kind = 'evm';
  readonly address: Address;
  readonly #clients: EvmClients;
  readonly #networkId: string;

  private constructor(clients: EvmClients, address: Address, network_id: string) {
    this.#clients = clients;
    this.address = address;
    this.#networkId = network_id;
  }

  /** Deploys a new contract for `network_id` from the wallet's account (which becomes the anchorer). */
  static async deploy(clients: EvmClients, network_id: string): Promise<EvmAnchor> {
    const { abi, bytecode } = settlementAnchorContract();
    const hash = await clients.walletClient.deployContract({
      abi,
      bytecode,
      args: [networkIdHash(network_id)],
      gas: 2_000_000n,
    });
    const receipt = await clients.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 10 });
    if (receipt.status !== 'success' || !receipt.contractAddress)
      throw new AnchorError('anchor_unavailable', `deploying the anchor contract failed (tx ${hash})`);
    return EvmAnchor.at(clients, receipt.contractAddress, network_id);
  }

  /** The contract already deployed at `address`; refuses one deployed for another network. */
  static async at(clients: EvmClients, address: Address, network_id: string): Promise<EvmAnchor> {
    const { abi } = settlementAnchorContract();
    const held = (await clients.publicClient.readContract({ address, abi, functionName: 'networkId' })) as Hex;
    if (held.toLowerCase() !== networkIdHash(network_id))
      throw new AnchorError('invalid_statement', `the contract at ${address} anchors another network`);
    return new EvmAnchor(clients, address, network_id);
  }

  async read(epoch_id: number): Promise<AnchorReceipt | undefined> {
    const { abi } = settlementAnchorContract();
    const [settlementRoot, rewardsRoot, statementHash, block] = (await this.#clients.publicClient.readContract({
      address: this.address,
      abi,
      functionName: 'anchorOf',
      args: [BigInt(epoch_id)],
    })) as [Hex, Hex, Hex, bigint];
    if (statementHash === ZERO) return undefined;
    return {
      network_id: this.#networkId,
      epoch_id,
      settlement_root: strip(settlementRoot),
      rewards_root: strip(rewardsRoot),
      statement_hash: strip(statementHash),
      adapter: this.kind,
      reference: `${this.address.toLowerCase()}:${epoch_id}`,
      position: Number(block),
    };
  }

  async anchor(statement: AnchorStatement): Promise<AnchorOutcome> {
    checkAnchorStatement(statement);
    if (statement.network_id !== this.#networkId)
      throw new AnchorError(
        'invalid_statement',
        `this contract anchors ${this.#networkId}, not ${statement.network_id}`,
      );
    const held = await this.read(statement.epoch_id);
    if (held) {
      return sameStatement(statement, held)
        ? { ok: true, receipt: held, already: true }
        : { ok: false, code: 'conflict', existing: held };
    }
    const { abi } = settlementAnchorContract();
    const hash = await this.#clients.walletClient.writeContract({
      address: this.address,
      abi,
      functionName: 'anchor',
      args: [
        BigInt(statement.epoch_id),
        `0x${statement.settlement_root}`,
        `0x${statement.rewards_root}`,
        `0x${statement.statement_hash}`,
      ],
      gas: 300_000n,
    });
    const receipt = await this.#clients.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 10 });
    const now = await this.read(statement.epoch_id);
    if (!now) throw new AnchorError('anchor_unavailable', `the anchor transaction ${hash} left epoch unanchored`);
    if (!sameStatement(statement, now)) return { ok: false, code: 'conflict', existing: now };
    // Another anchorer may have won the race with the same statement: then this tx reverted.
    return { ok: true, receipt: now, already: receipt.status !== 'success' };
  }

  async verify(statement: AnchorStatement): Promise<AnchorCheck> {
    return compareAnchored(statement, await this.read(statement.epoch_id));
  }
}
