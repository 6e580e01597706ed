/**
 * The full birth year from the two-digit year and the first digit of the serial number (the
 * CPR number's 7th digit), by the CPR office's table in "Personnummeret i CPR-systemet".
 */
export function danishBirthYear(twoDigitYear: number, seventhDigit: number): number {
  if (seventhDigit <= 3) return 1900 + twoDigitYear;
  if (seventhDigit === 4 || seventhDigit === 9)
    return (twoDigitYear <= 36 ? 2000 : 1900) + twoDigitYear;
  return (twoDigitYear <= 57 ? 2000 : 1800) + twoDigitYear;
}
