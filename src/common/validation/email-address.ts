import { isEmail } from 'class-validator';

/**
 * The one rule by which two emails are the same address: Unicode NFKC (so fullwidth and other
 * compatibility look-alikes fold into their plain letters), then lower case. Used for
 * uniqueness, lookups and rate-limit keys alike; the address itself is stored as given.
 */
export function normalizeEmail(email: string): string {
  return email.normalize('NFKC').toLowerCase();
}

/** RFC 5321's limit on a forward path, which every address must fit into. */
export const MAX_EMAIL_LENGTH = 254;

/**
 * A plain addr-spec: a dot-atom local part, `@`, a domain name. No display name, no group
 * syntax, no quoted or bracketed parts, no IP literal: mail must go to exactly the address seen.
 * The normalised form must be one too, so a compatibility character cannot fold into `<`, `:`
 * or a second `@`.
 */
export function isPlainAddress(value: string): boolean {
  return [value, normalizeEmail(value)].every(
    (address) =>
      [...address].length <= MAX_EMAIL_LENGTH &&
      !/["<>()[\]\\,;:\s\0]/.test(address) &&
      isEmail(address, {
        allow_display_name: false,
        allow_ip_domain: false,
        require_tld: true,
        allow_utf8_local_part: true,
      }),
  );
}
