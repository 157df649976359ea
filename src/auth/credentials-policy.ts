import { dictionary } from '@zxcvbn-ts/language-common';

/**
 * The one way an email is compared (login, lockout keys, uniqueness): trimmed, NFKC, lower-cased by JavaScript.
 * Lookups compare the stored normalised form for equality; PostgreSQL's lower() folds some letters differently
 * (`İ`), so a second normalisation in SQL would give one account two lockout keys (issue 11 item 4).
 */
export function normaliseEmail(email: string): string {
  return email.trim().normalize('NFKC').toLowerCase();
}

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 200;

/** zxcvbn-ts's list of ~49,000 passwords seen most often in breaches (a maintained package, not our own list). */
let commonPasswords: ReadonlySet<string> | undefined;
const isCommonPassword = (password: string): boolean => {
  commonPasswords ??= new Set(dictionary['passwords-common'] as string[]);
  return commonPasswords.has(password.toLowerCase());
};

/**
 * Why a password may not be used, or null when it may (G3.3, ASVS 6.2): at least 12 characters, not among the common
 * passwords, not the account's email. Passwords are taken as typed: never trimmed or normalised, here or at login.
 */
export function passwordProblem(password: string, email?: string): string | null {
  if ([...password].length < MIN_PASSWORD_LENGTH) return `must be at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.length > MAX_PASSWORD_LENGTH) return `must be at most ${MAX_PASSWORD_LENGTH} characters`;
  if (isCommonPassword(password)) return 'is one of the most common passwords; choose another';
  if (email) {
    const lowered = password.toLowerCase();
    const address = normaliseEmail(email);
    if (lowered === address || lowered === address.split('@')[0]) return 'must not be the email address';
  }
  return null;
}
