/** The extensions this project ships, in alias order: what discovery must list by default. */
export const SHIPPED = ['MLTI-TAGS', 'OS-LOCK', 'RAX-ATOM', 'RAX-BAK', 'RAX-CBS', 'RAX-DCF', 'RAX-DESC', 'RAX-EDIT', 'RAX-PATCH', 'RAX-PIE'];
