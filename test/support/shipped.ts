/** The extensions this project ships, in alias order: what discovery must list by default. */
export const SHIPPED = ['MLTI-TAGS', 'OS-LOCK', 'RAX-BAK', 'RAX-CBS', 'RAX-DCF', 'RAX-DESC', 'RAX-PATCH', 'RAX-PIE'];
