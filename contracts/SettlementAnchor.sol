// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/// @title SettlementAnchor
/// @notice Anchors the finalized settlement of each epoch of one Symphony network: the settlement
/// root, the rewards root and the hash of the statement the masters' quorum certificate signed.
/// An epoch is anchored once: a second anchor for the same epoch is refused, even with the same
/// roots, so what is on chain for an epoch never changes.
contract SettlementAnchor {
    struct Anchor {
        bytes32 settlementRoot;
        bytes32 rewardsRoot;
        bytes32 statementHash;
        uint64 anchoredAtBlock;
    }

    /// @notice The only account allowed to anchor (the network's anchoring key).
    address public immutable anchorer;
    /// @notice SHA-256 of the network id the anchors belong to.
    bytes32 public immutable networkId;
    /// @notice The highest epoch anchored so far.
    uint64 public latestEpoch;

    mapping(uint64 => Anchor) private anchors;

    event EpochAnchored(uint64 indexed epochId, bytes32 settlementRoot, bytes32 rewardsRoot, bytes32 statementHash);

    error NotAnchorer(address caller);
    error AlreadyAnchored(uint64 epochId);
    error InvalidEpoch(uint64 epochId);
    error EmptyStatement();

    constructor(bytes32 networkId_) {
        anchorer = msg.sender;
        networkId = networkId_;
    }

    /// @notice Records the finalized roots of `epochId`; reverts if the epoch is already anchored.
    function anchor(uint64 epochId, bytes32 settlementRoot, bytes32 rewardsRoot, bytes32 statementHash) external {
        if (msg.sender != anchorer) revert NotAnchorer(msg.sender);
        if (epochId == 0) revert InvalidEpoch(epochId);
        if (statementHash == bytes32(0)) revert EmptyStatement();
        if (anchors[epochId].statementHash != bytes32(0)) revert AlreadyAnchored(epochId);
        anchors[epochId] = Anchor(settlementRoot, rewardsRoot, statementHash, uint64(block.number));
        if (epochId > latestEpoch) latestEpoch = epochId;
        emit EpochAnchored(epochId, settlementRoot, rewardsRoot, statementHash);
    }

    /// @notice The anchor of `epochId` (all zero when the epoch is not anchored).
    function anchorOf(uint64 epochId)
        external
        view
        returns (bytes32 settlementRoot, bytes32 rewardsRoot, bytes32 statementHash, uint64 anchoredAtBlock)
    {
        Anchor memory a = anchors[epochId];
        return (a.settlementRoot, a.rewardsRoot, a.statementHash, a.anchoredAtBlock);
    }
}
