import { mod11CheckDigit } from '../mod11';

// Weights of the two mod-11 control digits of a Norwegian identity number (Skatteetaten).
const K1_WEIGHTS = [3, 7, 6, 1, 8, 9, 4, 5, 2] as const;
const K2_WEIGHTS = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2] as const;

/**
 * The two control digits for the first nine digits, or null when no valid number exists
 * for them.
 *
 * This is the rule in force today. From 2032 Skatteetaten also allows k1 values computed with
 * a remainder offset of 1 to 3; that change belongs here when it lands.
 */
export function norwegianCheckDigits(firstNine: readonly number[]): [number, number] | null {
  const k1 = mod11CheckDigit(firstNine, K1_WEIGHTS);
  if (k1 === null) return null;
  const k2 = mod11CheckDigit([...firstNine, k1], K2_WEIGHTS);
  if (k2 === null) return null;
  return [k1, k2];
}
