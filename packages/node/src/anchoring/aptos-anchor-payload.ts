/**
 * The Aptos path of anchoring: transaction payloads for the `settlement_anchor` Move module
 * (`contracts/aptos/sources/settlement_anchor.move`), built offline with `@aptos-labs/ts-sdk` 6.
 * Submitting them (signing, sequence numbers, a fullnode) is the deployment's business; the bytes
 * here are what gets signed.
 */
import { createHash } from 'node:crypto';
import {
  AccountAddress,
  ChainId,
  EntryFunction,
  Identifier,
  ModuleId,
  MoveVector,
  RawTransaction,
  TransactionPayloadEntryFunction,
  U64,
} from '@aptos-labs/ts-sdk';
import { type AnchorStatement, checkAnchorStatement } from '../ports/anchor.ts';

/** The Move module's name. */
export const APTOS_ANCHOR_MODULE = 'settlement_anchor';

const bytesOf = (hex64: string) => Uint8Array.from(Buffer.from(hex64, 'hex'));

/** `settlement_anchor::initialize(network_id)`: the SHA-256 of the network id, as 32 bytes. */
export function aptosInitializePayload(moduleAddress: string, network_id: string): TransactionPayloadEntryFunction {
  const hash = createHash('sha256').update(network_id, 'utf8').digest();
  return new TransactionPayloadEntryFunction(
    new EntryFunction(
      new ModuleId(AccountAddress.from(moduleAddress), new Identifier(APTOS_ANCHOR_MODULE)),
      new Identifier('initialize'),
      [],
      [MoveVector.U8(Uint8Array.from(hash))],
    ),
  );
}

/** `settlement_anchor::anchor(epoch_id, settlement_root, rewards_root, statement_hash)`. */
export function aptosAnchorPayload(moduleAddress: string, statement: AnchorStatement): TransactionPayloadEntryFunction {
  checkAnchorStatement(statement);
  return new TransactionPayloadEntryFunction(
    new EntryFunction(
      new ModuleId(AccountAddress.from(moduleAddress), new Identifier(APTOS_ANCHOR_MODULE)),
      new Identifier('anchor'),
      [],
      [
        new U64(BigInt(statement.epoch_id)),
        MoveVector.U8(bytesOf(statement.settlement_root)),
        MoveVector.U8(bytesOf(statement.rewards_root)),
        MoveVector.U8(bytesOf(statement.statement_hash)),
      ],
    ),
  );
}

/** What a raw transaction needs besides its payload (all known offline to the anchoring account). */
export type AptosTransactionOptions = {
  sender: string;
  sequenceNumber: bigint;
  maxGasAmount: bigint;
  gasUnitPrice: bigint;
  expirationTimestampSecs: bigint;
  chainId: number;
};

/** The raw (unsigned) transaction anchoring `statement`, and its BCS bytes. */
export function aptosAnchorTransaction(
  moduleAddress: string,
  statement: AnchorStatement,
  opts: AptosTransactionOptions,
): { transaction: RawTransaction; bytes: Uint8Array } {
  const transaction = new RawTransaction(
    AccountAddress.from(opts.sender),
    opts.sequenceNumber,
    aptosAnchorPayload(moduleAddress, statement),
    opts.maxGasAmount,
    opts.gasUnitPrice,
    opts.expirationTimestampSecs,
    new ChainId(opts.chainId),
  );
  return { transaction, bytes: transaction.bcsToBytes() };
}
