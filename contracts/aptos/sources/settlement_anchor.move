/// Anchors the finalized settlement of each epoch of one Symphony network on Aptos: the
/// settlement root, the rewards root and the hash of the statement the masters' quorum
/// certificate signed (32 bytes each). The registry lives under the anchorer's account, so only
/// the anchorer's signer can write to it. An epoch is anchored once: a second anchor for the same
/// epoch aborts, even with the same roots, so what is on chain for an epoch never changes.
module symphony::settlement_anchor {
    use std::signer;
    use std::vector;
    use aptos_std::table::{Self, Table};
    use aptos_framework::event;

    /// The account has no anchor registry (call `initialize` first).
    const E_NOT_INITIALIZED: u64 = 1;
    /// The account already has an anchor registry.
    const E_ALREADY_INITIALIZED: u64 = 2;
    /// This epoch is already anchored.
    const E_ALREADY_ANCHORED: u64 = 3;
    /// A root or statement hash is not 32 bytes.
    const E_BAD_HASH_LENGTH: u64 = 4;
    /// Epochs start at 1.
    const E_INVALID_EPOCH: u64 = 5;

    struct EpochAnchor has store, copy, drop {
        settlement_root: vector<u8>,
        rewards_root: vector<u8>,
        statement_hash: vector<u8>,
    }

    struct Registry has key {
        /// SHA-256 of the network id.
        network_id: vector<u8>,
        anchors: Table<u64, EpochAnchor>,
        latest_epoch: u64,
    }

    #[event]
    struct EpochAnchored has drop, store {
        anchorer: address,
        epoch_id: u64,
        settlement_root: vector<u8>,
        rewards_root: vector<u8>,
        statement_hash: vector<u8>,
    }

    /// Creates the anchorer's registry for one network.
    public entry fun initialize(anchorer: &signer, network_id: vector<u8>) {
        assert!(!exists<Registry>(signer::address_of(anchorer)), E_ALREADY_INITIALIZED);
        assert!(vector::length(&network_id) == 32, E_BAD_HASH_LENGTH);
        move_to(anchorer, Registry { network_id, anchors: table::new(), latest_epoch: 0 });
    }

    /// Records the finalized roots of `epoch_id`; aborts if the epoch is already anchored.
    public entry fun anchor(
        anchorer: &signer,
        epoch_id: u64,
        settlement_root: vector<u8>,
        rewards_root: vector<u8>,
        statement_hash: vector<u8>,
    ) acquires Registry {
        let addr = signer::address_of(anchorer);
        assert!(exists<Registry>(addr), E_NOT_INITIALIZED);
        assert!(epoch_id > 0, E_INVALID_EPOCH);
        assert!(vector::length(&settlement_root) == 32, E_BAD_HASH_LENGTH);
        assert!(vector::length(&rewards_root) == 32, E_BAD_HASH_LENGTH);
        assert!(vector::length(&statement_hash) == 32, E_BAD_HASH_LENGTH);
        let registry = borrow_global_mut<Registry>(addr);
        assert!(!table::contains(&registry.anchors, epoch_id), E_ALREADY_ANCHORED);
        table::add(&mut registry.anchors, epoch_id, EpochAnchor { settlement_root, rewards_root, statement_hash });
        if (epoch_id > registry.latest_epoch) registry.latest_epoch = epoch_id;
        event::emit(EpochAnchored { anchorer: addr, epoch_id, settlement_root, rewards_root, statement_hash });
    }

    #[view]
    /// The anchor of `epoch_id` in `anchorer`'s registry: (found, settlement_root, rewards_root, statement_hash).
    public fun anchor_of(anchorer: address, epoch_id: u64): (bool, vector<u8>, vector<u8>, vector<u8>) acquires Registry {
        assert!(exists<Registry>(anchorer), E_NOT_INITIALIZED);
        let registry = borrow_global<Registry>(anchorer);
        if (!table::contains(&registry.anchors, epoch_id)) return (false, vector[], vector[], vector[]);
        let a = table::borrow(&registry.anchors, epoch_id);
        (true, a.settlement_root, a.rewards_root, a.statement_hash)
    }

    #[view]
    /// The highest epoch anchored in `anchorer`'s registry (0 when none).
    public fun latest_epoch(anchorer: address): u64 acquires Registry {
        assert!(exists<Registry>(anchorer), E_NOT_INITIALIZED);
        borrow_global<Registry>(anchorer).latest_epoch
    }
}
