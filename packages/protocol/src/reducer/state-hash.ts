/** A hash of the whole folded state, so two nodes can compare what they hold. */
import { domainHash, type Hex64 } from '../hashing/domain-hash.ts';
import { DomainTags } from '../objects/domain-tags.ts';
import type { ProtocolState } from './state.ts';

/** SHA-256 over the RFC 8785 encoding of the state, tagged `scp/v1/protocol-state`. */
export function stateHash(state: ProtocolState): Hex64 {
  return domainHash(DomainTags.protocolState, state);
}
