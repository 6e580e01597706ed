/**
 * The full birth year from the two-digit year and the three-digit individual number, by
 * Skatteetaten's allocation table. Null when the combination was never allocated.
 */
export function norwegianBirthYear(twoDigitYear: number, individual: number): number | null {
  if (individual <= 499) return 1900 + twoDigitYear;
  if (individual <= 749 && twoDigitYear >= 54) return 1800 + twoDigitYear;
  if (twoDigitYear <= 39) return 2000 + twoDigitYear;
  if (individual >= 900) return 1900 + twoDigitYear;
  return null;
}
