// @ts-check

/**
 * The singular of an English plural in kebab-case, by the regular endings: categories ->
 * category, addresses -> address, boxes -> box, purchases -> purchase, purchase-orders ->
 * purchase-order. Irregular words (people, statuses) need `--singular`.
 * @param {string} plural
 */
export function singularOf(plural) {
  if (/[^aeiou]ies$/.test(plural)) return `${plural.slice(0, -3)}y`;
  if (/(ss|x|ch|sh)es$/.test(plural)) return plural.slice(0, -2);
  if (/[^s]s$/.test(plural)) return plural.slice(0, -1);
  throw new Error(`Give the name in the plural (e.g. ${plural}s), or its singular with --singular`);
}
