/**
 * A software enclave: `TeeProvider` with an Ed25519 attestation key per enclave, held in a keyring.
 * Its evidence is the enclave key's signature over (measurement, enclave key, report data). It has
 * no hardware root of trust: it is labelled `simulated` everywhere and cannot be created when the
 * production flag is set (and a production attestation policy refuses its evidence anyway).
 */
import {
  type AttestationEvidence,
  digestBytes,
  type EnclaveRegistration,
  simulatedEvidenceDigest,
} from '@symphony/protocol';
import { PortError } from '../ports/errors.ts';
import type { Keyring } from '../ports/keyring.ts';
import type { TeeProvider, TeeProviderErrorCode } from '../ports/tee-provider.ts';

export type SimulatedTeeOptions = {
  keyring: Keyring;
  /** The keyring name of this enclave's key (one key per enclave). */
  keyName: string;
  /** The code measurement this enclave reports. */
  measurement: string;
  /** Set in production: a simulated enclave is then refused. */
  production?: boolean;
};

export class SimulatedTeeProvider implements TeeProvider {
  readonly kind = 'simulated' as const;
  readonly #o: SimulatedTeeOptions;
  #identity: EnclaveRegistration | undefined;

  private constructor(opts: SimulatedTeeOptions) {
    this.#o = opts;
  }

  /** Creates the enclave key on first use; throws `simulated_tee_refused` under the production flag. */
  static async open(opts: SimulatedTeeOptions): Promise<SimulatedTeeProvider> {
    if (opts.production)
      throw new PortError<TeeProviderErrorCode>(
        'simulated_tee_refused',
        'a simulated (software) enclave is refused when the production flag is set',
      );
    const tee = new SimulatedTeeProvider(opts);
    const key = await opts.keyring.ensureKey(opts.keyName);
    tee.#identity = { provider: 'simulated', measurement: opts.measurement, enclave_public_key: key.publicKeyHex };
    return tee;
  }

  async identity(): Promise<EnclaveRegistration> {
    return { ...this.#identity! };
  }

  async attest(reportData: string): Promise<AttestationEvidence> {
    const id = this.#identity!;
    const claims = { measurement: id.measurement, enclave_public_key: id.enclave_public_key, report_data: reportData };
    const body = await this.#o.keyring.sign(this.#o.keyName, digestBytes(simulatedEvidenceDigest(claims)));
    return { schema_version: 1, provider: 'simulated', ...claims, body };
  }

  sign(bytes: Uint8Array): Promise<string> {
    return this.#o.keyring.sign(this.#o.keyName, bytes);
  }
}
