/** The error a sandboxed run ends with when the program is refused or contained. */
import type { ExecutionRejectionReason } from '@symphony/protocol';

/** A refused or contained program: `code` is a stable rejection reason, `detail` is for operators' logs. */
export class SandboxRejected extends Error {
  constructor(
    readonly code: ExecutionRejectionReason,
    readonly detail: string,
  ) {
    super(`${code}: ${detail}`);
  }
}
