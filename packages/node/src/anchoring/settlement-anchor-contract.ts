/**
 * The settlement-anchor contract (`contracts/SettlementAnchor.sol`), compiled from its committed
 * source with solc-js (the `solc` npm package, pinned, pure JavaScript/wasm: nothing downloaded).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Abi, Hex } from 'viem';

/** Path of the Solidity source in the repository. */
export const SETTLEMENT_ANCHOR_SOURCE = fileURLToPath(
  new URL('../../../../contracts/SettlementAnchor.sol', import.meta.url),
);

/** The compiled contract. */
export type CompiledContract = { abi: Abi; bytecode: Hex; compiler: string };

type SolcOutput = {
  errors?: { severity: string; formattedMessage: string }[];
  contracts?: Record<string, Record<string, { abi: Abi; evm: { bytecode: { object: string } } }>>;
};

let compiled: CompiledContract | undefined;

/** Compiles the contract once per process (optimizer on, 200 runs); throws with solc's messages on error. */
export function settlementAnchorContract(): CompiledContract {
  if (compiled) return compiled;
  const solc = createRequire(import.meta.url)('solc') as { compile(input: string): string; version(): string };
  const input = {
    language: 'Solidity',
    sources: { 'SettlementAnchor.sol': { content: readFileSync(SETTLEMENT_ANCHOR_SOURCE, 'utf8') } },
    settings: {
      optimizer: { enabled: true, runs: 200 },
      evmVersion: 'cancun',
      outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
    },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input))) as SolcOutput;
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length > 0) throw new Error(`solc: ${errors.map((e) => e.formattedMessage).join('\n')}`);
  const contract = output.contracts?.['SettlementAnchor.sol']?.SettlementAnchor;
  if (!contract) throw new Error('solc produced no SettlementAnchor contract');
  compiled = { abi: contract.abi, bytecode: `0x${contract.evm.bytecode.object}`, compiler: solc.version() };
  return compiled;
}
