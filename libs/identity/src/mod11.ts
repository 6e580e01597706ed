/** The weighted digit sum modulo 11 that Norway's and Denmark's registries build check digits on. */
export function weightedSumMod11(digits: readonly number[], weights: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < weights.length; i++) sum += (digits[i] ?? 0) * (weights[i] ?? 0);
  return sum % 11;
}

/**
 * The check digit that makes the weighted sum divisible by 11 with the check digit weighted 1
 * (remainder 0 gives 0), or null when it would have to be 10: no number is issued then.
 */
export function mod11CheckDigit(
  digits: readonly number[],
  weights: readonly number[],
): number | null {
  const check = (11 - weightedSumMod11(digits, weights)) % 11;
  return check === 10 ? null : check;
}
