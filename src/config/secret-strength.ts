/** Shorter repeats are as likely to be chance in a random string as to be a pattern. */
const MIN_REPEAT = 3;

/**
 * A rough estimate of a secret's entropy in bits: its Shannon entropy per character times the
 * number of characters, where a stretch that repeats an earlier one (of 3+ characters) counts as
 * nothing, so repeating a weak word does not make it look strong. Random secrets score close to
 * their real entropy; a typed or patterned one scores low. It cannot see that a varied phrase is
 * guessable, so it is a floor check, not a guarantee.
 */
export function estimatedEntropyBits(value: string): number {
  const chars = [...value];
  const counts = new Map<string, number>();
  for (const char of chars) counts.set(char, (counts.get(char) ?? 0) + 1);
  let bitsPerChar = 0;
  for (const count of counts.values()) {
    const p = count / chars.length;
    bitsPerChar -= p * Math.log2(p);
  }
  return bitsPerChar * unrepeatedLength(chars);
}

/** Characters left once each stretch that copies an earlier one is dropped (greedy, as LZ77 parses). */
function unrepeatedLength(chars: string[]): number {
  let fresh = 0;
  let i = 0;
  while (i < chars.length) {
    let longest = 0;
    for (let from = 0; from < i; from++) {
      let length = 0;
      while (i + length < chars.length && chars[from + length] === chars[i + length]) length++;
      longest = Math.max(longest, length);
    }
    if (longest >= MIN_REPEAT) {
      i += longest;
    } else {
      fresh++;
      i++;
    }
  }
  return fresh;
}
