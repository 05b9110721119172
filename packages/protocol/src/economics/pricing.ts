/** Task pricing from the parameter set: integer arithmetic in base units, capped at the escrowed maximum. */
import type { ClassPrice } from '../objects/parameter-set.ts';

export type Usage = { records_scanned: number; fuel: number; rounds: number };

/** fee = base + per_record*records + per_fuel_kilo*ceil(fuel/1000) + per_round_vault*rounds*vaults, at most max_fee. */
export function priceTask(
  price: ClassPrice,
  usage: Usage,
  vaultCount: number,
  maxFee: bigint,
): { fee: bigint; refund: bigint } {
  const fuelKilo = (BigInt(usage.fuel) + 999n) / 1000n;
  const raw =
    BigInt(price.base) +
    BigInt(price.per_record) * BigInt(usage.records_scanned) +
    BigInt(price.per_fuel_kilo) * fuelKilo +
    BigInt(price.per_round_vault) * BigInt(usage.rounds) * BigInt(vaultCount);
  const fee = raw < maxFee ? raw : maxFee;
  return { fee, refund: maxFee - fee };
}
