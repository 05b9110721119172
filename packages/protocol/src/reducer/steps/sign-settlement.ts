import { verifyEd25519 } from '../../crypto/ed25519.ts';
import { digestBytes, statementHash } from '../../crypto/signing-digests.ts';
import { policyInForce } from '../../params/resolve-parameters.ts';
import { moveSettlement } from '../moves.ts';
import { refuse } from '../refusal.ts';
import { candidateStatementHash, finalizeSettlement } from '../settlement-flow.ts';
import type { Step } from '../step.ts';

/**
 * A master's signature over the settlement statement it built. Signatures matching the candidate
 * count toward the quorum; a signature on another statement is kept as evidence (a master that
 * signs two statements for one epoch and attempt is recorded as equivocating). When the quorum is
 * out of reach the settlement fails.
 */
export const signSettlement: Step<'settlement_signed'> = {
  check(state, e, at) {
    const st = e.statement;
    const master = state.masters[e.master_id];
    if (!master) return refuse('unknown_master', `${e.master_id} is not a master`);
    if (!verifyEd25519(master.public_key, digestBytes(statementHash(st)), e.signature)) {
      return refuse('bad_signature', 'settlement signature does not verify');
    }
    if (st.network_id !== state.network_id) return refuse('wrong_network', `statement is for ${st.network_id}`);
    const s = state.settlements[st.epoch_id];
    if (!s || (s.state !== 'candidate_ready' && s.state !== 'finalizing')) {
      return refuse('no_candidate', `epoch ${st.epoch_id} has no candidate to sign`);
    }
    if (st.attempt !== s.attempt) return refuse('stale_attempt', `the candidate is attempt ${s.attempt}`);
    const hash = statementHash(st);
    const previous = s.signatures.find((g) => g.master_id === e.master_id);
    if (previous?.statement_hash === hash) return refuse('duplicate_signature', `${e.master_id} already signed`);
    if (previous) return undefined; // equivocation: recorded by run()
    const window = policyInForce(state, st.epoch_id)?.challenge_window_ms ?? 0;
    if (at.time_ms < (s.candidate_ready_at_ms ?? 0) + window) {
      return refuse('challenge_window_open', 'masters sign after the candidate challenge window');
    }
    return undefined;
  },
  run(state, e, at) {
    const st = e.statement;
    const s = state.settlements[st.epoch_id]!;
    const hash = statementHash(st);
    const previous = s.signatures.find((g) => g.master_id === e.master_id);
    if (previous) {
      state.equivocations.push({
        master_id: e.master_id,
        epoch_id: st.epoch_id,
        attempt: st.attempt,
        statement_hashes: [previous.statement_hash, hash],
        seqs: [previous.seq, at.seq],
      });
      return;
    }
    s.signatures.push({ master_id: e.master_id, signature: e.signature, statement_hash: hash, seq: at.seq });
    const candidate = candidateStatementHash(s);
    const matching = s.signatures.filter((g) => g.statement_hash === candidate).length;
    const quorum = policyInForce(state, st.epoch_id)?.settlement_quorum ?? 2;
    const outstanding = Object.keys(state.masters).length - s.signatures.length;
    if (matching >= 1 && s.state === 'candidate_ready') moveSettlement(s, 'finalizing', at);
    if (matching >= quorum) finalizeSettlement(state, s, at);
    else if (matching + outstanding < quorum) {
      moveSettlement(s, 'failed', at);
      s.failure_reason = 'no_quorum';
    }
  },
};
