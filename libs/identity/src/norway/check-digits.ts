// Weights of the two mod-11 control digits of a Norwegian identity number (Skatteetaten).
const K1_WEIGHTS = [3, 7, 6, 1, 8, 9, 4, 5, 2] as const;
const K2_WEIGHTS = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2] as const;

function mod11(digits: readonly number[], weights: readonly number[]): number | null {
  let sum = 0;
  for (let i = 0; i < weights.length; i++) sum += (digits[i] ?? 0) * (weights[i] ?? 0);
  const check = (11 - (sum % 11)) % 11;
  // A remainder that would need the digit 10 has no valid number: such individual numbers
  // are never issued.
  return check === 10 ? null : check;
}

/**
 * The two control digits for the first nine digits, or null when no valid number exists
 * for them.
 *
 * This is the rule in force today. From 2032 Skatteetaten also allows k1 values computed with
 * a remainder offset of 1 to 3; that change belongs here when it lands.
 */
export function norwegianCheckDigits(firstNine: readonly number[]): [number, number] | null {
  const k1 = mod11(firstNine, K1_WEIGHTS);
  if (k1 === null) return null;
  const k2 = mod11([...firstNine, k1], K2_WEIGHTS);
  if (k2 === null) return null;
  return [k1, k2];
}
