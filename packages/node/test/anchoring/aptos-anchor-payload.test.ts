/**
 * The Aptos anchoring payload, built offline with @aptos-labs/ts-sdk 6, has exactly the BCS bytes
 * computed by hand from the BCS rules (enum variant index, ULEB128 lengths, little-endian u64).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  aptosAnchorPayload,
  aptosAnchorTransaction,
  aptosInitializePayload,
} from '../../src/anchoring/aptos-anchor-payload.ts';

const MODULE = `0x${'0'.repeat(60)}a11c`;
const SENDER = `0x${'b0b'.padStart(64, '0')}`;
const statement = {
  network_id: 'scp-aptos-test',
  epoch_id: 258, // 0x0102: little-endian 02 01 00 00 00 00 00 00
  settlement_root: '11'.repeat(32),
  rewards_root: '22'.repeat(32),
  statement_hash: '33'.repeat(32),
};

const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const ascii = (s: string) => Buffer.from(s, 'ascii').toString('hex');

// TransactionPayload::EntryFunction is variant 2; ModuleId = address (32 bytes) + name (ULEB128 length + bytes).
const moduleId = `${'0'.repeat(60)}a11c11${ascii('settlement_anchor')}`; // name length 17 = 0x11
const expectedPayload =
  '02' +
  moduleId +
  '06' +
  ascii('anchor') +
  '00' + // no type arguments
  '04' + // four arguments, each its BCS bytes behind a ULEB128 length
  '08' +
  '0201000000000000' + // u64 258
  '21' +
  '20' +
  '11'.repeat(32) + // vector<u8>: length 32 (0x20), then the bytes; 33 = 0x21 bytes in all
  '21' +
  '20' +
  '22'.repeat(32) +
  '21' +
  '20' +
  '33'.repeat(32);

test('the anchor entry-function payload has the hand-computed BCS bytes', () => {
  assert.equal(toHex(aptosAnchorPayload(MODULE, statement).bcsToBytes()), expectedPayload);
});

test('the raw transaction wraps the payload with sender, sequence, gas, expiry and chain id', () => {
  const { bytes } = aptosAnchorTransaction(MODULE, statement, {
    sender: SENDER,
    sequenceNumber: 5n,
    maxGasAmount: 2000n, // 0x07d0
    gasUnitPrice: 100n, // 0x64
    expirationTimestampSecs: 1_767_225_600n, // 0x6955b900
    chainId: 4,
  });
  const expected =
    'b0b'.padStart(64, '0') +
    '0500000000000000' +
    expectedPayload +
    'd007000000000000' +
    '6400000000000000' +
    '00b9556900000000' +
    '04';
  assert.equal(toHex(bytes), expected);
});

test('initialize carries the SHA-256 of the network id as a 32-byte vector', () => {
  // sha256("scp-aptos-test"), computed independently of the builder (sha256sum).
  const digest = 'b497ba51fd29cae2deee44e80bffc22305c7d4fe16e534ab12eb7cd1d43ace78';
  const expected = `02${moduleId}0a${ascii('initialize')}0001` + `2120${digest}`;
  assert.equal(toHex(aptosInitializePayload(MODULE, statement.network_id).bcsToBytes()), expected);
});

test('a malformed statement is refused before any bytes are built', () => {
  assert.throws(() => aptosAnchorPayload(MODULE, { ...statement, rewards_root: 'zz' }), { code: 'invalid_statement' });
});
