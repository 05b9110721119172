/**
 * An Ethereum chain inside the process: `@ethereumjs/vm` behind the small JSON-RPC surface `viem`
 * needs (EIP-1193 `request`), one block per transaction. For tests and development of the chain
 * anchor adapter; production points the same adapter at a real node's RPC.
 */
import { createBlock } from '@ethereumjs/block';
import { createCustomCommon, Hardfork, Mainnet } from '@ethereumjs/common';
import { createTxFromRLP, type TypedTransaction } from '@ethereumjs/tx';
import {
  type Address,
  bytesToHex,
  createAccount,
  createAddressFromString,
  hexToBytes,
  type PrefixedHexString,
} from '@ethereumjs/util';
import { createVM, runTx, type VM } from '@ethereumjs/vm';

/** Options of {@link InProcessEvm.create}. */
export type InProcessEvmOptions = {
  /** Chain id (default 31337). */
  chainId?: number;
  /** Accounts funded at start, each with `balanceWei` (default 10^21 wei). */
  fund?: readonly string[];
  balanceWei?: bigint;
};

type StoredReceipt = {
  transactionHash: string;
  transactionIndex: string;
  blockHash: string;
  blockNumber: string;
  from: string;
  to: string | null;
  contractAddress: string | null;
  gasUsed: string;
  cumulativeGasUsed: string;
  effectiveGasPrice: string;
  status: '0x1' | '0x0';
  type: string;
  logs: {
    address: string;
    topics: string[];
    data: string;
    blockNumber: string;
    blockHash: string;
    transactionHash: string;
    transactionIndex: string;
    logIndex: string;
    removed: false;
  }[];
  logsBloom: string;
};

/** A JSON-RPC error with the fields viem reads (`code`, `message`, `data`). */
export class EvmRpcError extends Error {
  readonly code: number;
  readonly data?: string;
  constructor(code: number, message: string, data?: string) {
    super(message);
    this.code = code;
    if (data !== undefined) this.data = data;
  }
}

const hex = (n: bigint | number): string => `0x${n.toString(16)}`;
const GAS_LIMIT = 30_000_000n;
const GAS_PRICE = 1_000_000_000n;

/** An in-process chain with an EIP-1193 `request` function. */
export class InProcessEvm {
  readonly chainId: number;
  readonly #vm: VM;
  readonly #common: ReturnType<typeof createCustomCommon>;
  readonly #receipts = new Map<string, StoredReceipt>();
  #blockNumber = 0n;
  #time = 1_767_225_600n;

  private constructor(vm: VM, common: ReturnType<typeof createCustomCommon>, chainId: number) {
    this.#vm = vm;
    this.#common = common;
    this.chainId = chainId;
  }

  static async create(opts: InProcessEvmOptions = {}): Promise<InProcessEvm> {
    const chainId = opts.chainId ?? 31337;
    const common = createCustomCommon({ chainId }, Mainnet, { hardfork: Hardfork.Cancun });
    const vm = await createVM({ common });
    for (const a of opts.fund ?? []) {
      await vm.stateManager.putAccount(
        createAddressFromString(a),
        createAccount({ balance: opts.balanceWei ?? 10n ** 21n }),
      );
    }
    return new InProcessEvm(vm, common, chainId);
  }

  #nextBlock() {
    this.#blockNumber += 1n;
    this.#time += 12n;
    return createBlock(
      {
        header: {
          number: this.#blockNumber,
          timestamp: this.#time,
          gasLimit: GAS_LIMIT,
          baseFeePerGas: 7n,
          coinbase: '0x0000000000000000000000000000000000000000',
        },
      },
      { common: this.#common },
    );
  }

  async #call(params: { from?: string; to?: string; data?: string; value?: string }) {
    const result = await this.#vm.evm.runCall({
      ...(params.from ? { caller: createAddressFromString(params.from) } : {}),
      ...(params.to ? { to: createAddressFromString(params.to) } : {}),
      data: params.data ? hexToBytes(params.data as PrefixedHexString) : new Uint8Array(),
      value: params.value ? BigInt(params.value) : 0n,
      gasLimit: GAS_LIMIT,
      skipBalance: true,
    });
    return result;
  }

  async #sendRaw(raw: string): Promise<string> {
    const tx: TypedTransaction = createTxFromRLP(hexToBytes(raw as PrefixedHexString), { common: this.#common });
    const block = this.#nextBlock();
    const result = await runTx(this.#vm, { tx, block, skipBlockGasLimitValidation: true });
    const txHash = bytesToHex(tx.hash());
    const blockHash = bytesToHex(block.hash());
    const from = tx.getSenderAddress().toString();
    const created: Address | undefined = result.createdAddress;
    const failed = result.execResult.exceptionError !== undefined;
    this.#receipts.set(txHash, {
      transactionHash: txHash,
      transactionIndex: '0x0',
      blockHash,
      blockNumber: hex(this.#blockNumber),
      from,
      to: tx.to ? tx.to.toString() : null,
      contractAddress: created && !failed ? created.toString() : null,
      gasUsed: hex(result.totalGasSpent),
      cumulativeGasUsed: hex(result.totalGasSpent),
      effectiveGasPrice: hex(GAS_PRICE),
      status: failed ? '0x0' : '0x1',
      type: hex(tx.type),
      logs: (result.execResult.logs ?? []).map(([address, topics, data], i) => ({
        address: bytesToHex(address),
        topics: topics.map((t) => bytesToHex(t)),
        data: bytesToHex(data),
        blockNumber: hex(this.#blockNumber),
        blockHash,
        transactionHash: txHash,
        transactionIndex: '0x0',
        logIndex: hex(i),
        removed: false as const,
      })),
      logsBloom: bytesToHex(result.bloom.bitvector),
    });
    return txHash;
  }

  /** The EIP-1193 entry point (pass to viem's `custom` transport). */
  request = async ({ method, params }: { method: string; params?: unknown }): Promise<unknown> => {
    const p = (params ?? []) as unknown[];
    switch (method) {
      case 'eth_chainId':
        return hex(this.chainId);
      case 'net_version':
        return String(this.chainId);
      case 'eth_blockNumber':
        return hex(this.#blockNumber);
      case 'eth_gasPrice':
        return hex(GAS_PRICE);
      case 'eth_maxPriorityFeePerGas':
        return hex(1n);
      case 'eth_getTransactionCount': {
        const account = await this.#vm.stateManager.getAccount(createAddressFromString(p[0] as string));
        return hex(account?.nonce ?? 0n);
      }
      case 'eth_getBalance': {
        const account = await this.#vm.stateManager.getAccount(createAddressFromString(p[0] as string));
        return hex(account?.balance ?? 0n);
      }
      case 'eth_getCode':
        return bytesToHex(await this.#vm.stateManager.getCode(createAddressFromString(p[0] as string)));
      case 'eth_getBlockByNumber':
        return {
          number: hex(this.#blockNumber),
          hash: `0x${'0'.repeat(64)}`,
          timestamp: hex(this.#time),
          baseFeePerGas: hex(7n),
          gasLimit: hex(GAS_LIMIT),
          gasUsed: '0x0',
          transactions: [],
        };
      case 'eth_call':
      case 'eth_estimateGas': {
        await this.#vm.stateManager.checkpoint();
        try {
          const r = await this.#call(p[0] as { from?: string; to?: string; data?: string });
          if (r.execResult.exceptionError) {
            throw new EvmRpcError(3, 'execution reverted', bytesToHex(r.execResult.returnValue));
          }
          return method === 'eth_call'
            ? bytesToHex(r.execResult.returnValue)
            : hex(r.execResult.executionGasUsed + 100_000n);
        } finally {
          await this.#vm.stateManager.revert();
        }
      }
      case 'eth_sendRawTransaction':
        return this.#sendRaw(p[0] as string);
      case 'eth_getTransactionReceipt':
        return this.#receipts.get(p[0] as string) ?? null;
      default:
        throw new EvmRpcError(-32601, `method ${method} is not supported by the in-process chain`);
    }
  };
}
