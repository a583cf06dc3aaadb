/** The extensions this project ships, by the alias each is defined with, in alias order. */
export const SHIPPED = ['MLTI-TAGS', 'OS-LOCK', 'RAX-ATOM', 'RAX-BAK', 'RAX-CBS', 'RAX-DCF', 'RAX-DESC', 'RAX-EDIT', 'RAX-PATCH', 'RAX-PIE'];

/**
 * What discovery lists by default at /v1: every shipped extension, and OS-DCF, the name
 * spec/promotions.json gives RAX-DCF there (RAX-DCF stays listed: its old names are kept).
 */
export const LISTED_V1 = [...SHIPPED, 'OS-DCF'].sort();

/** At /v2, where OS-LOCK and MLTI-TAGS are core: not listed, their names unprefixed. */
export const LISTED_V2 = LISTED_V1.filter((a) => a !== 'OS-LOCK' && a !== 'MLTI-TAGS');
