import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/**
 * Promotion records (spec chapter 4): `RAX-DCF` became `OS-DCF` in v1, `OS-LOCK` became core in
 * v2. The project's registry is `spec/promotions.json`; a deployment adds its own in the
 * configuration, in the same form. Their structure is checked here; what they mean (the
 * extension exists, the prefix is registered, no clash, no cycle) in lineage.ts, at load.
 */
export const PROMOTIONS_FILE = fileURLToPath(new URL('../../spec/promotions.json', import.meta.url));

export const promotionSchema = z.strictObject({
  /** The alias promoted: an extension's, or the `to` of an earlier record. */
  from: z.string().min(1),
  /** The new alias, or `core`. */
  to: z.string().min(1),
  /** The first API version that uses the new name. */
  since: z.string().min(1),
  /** When it was promoted (RFC 9745 `Deprecation`); default: the `updated` of the `since` version. */
  date: z.string().min(1).optional(),
  /** When the old names stop being accepted (RFC 8594 `Sunset`), if that is decided. */
  sunset: z.string().min(1).optional(),
  /** The new XML namespace: required unless `core`. */
  namespace: z.string().min(1).optional(),
  /** Names renamed on the way into core: `{"tag": "tags"}`. */
  names: z.record(z.string().min(1), z.string().min(1)).optional(),
  /** What the old spelling does where the new one is current (default `both`: nothing breaks). */
  oldNames: z.enum(['both', 'accept', 'refuse']).optional(),
});

export type PromotionInput = z.infer<typeof promotionSchema>;

export interface PromotionRecord extends PromotionInput {
  /** Where it was recorded, for problems: `spec/promotions.json promotions[0]`, `promotions[2]`. */
  readonly source: string;
  /**
   * The project's registry records promotions of extensions a deployment may not have: those
   * apply to nothing here, quietly. A deployment's own record of an unknown extension is a fault.
   */
  readonly shipped?: boolean;
}

const promotionsFile = z.object({ promotions: z.array(promotionSchema) });

/** The shipped records (unless `builtin` is false) and the configuration's, each labelled with where it came from. */
export const loadPromotions = (extra: readonly PromotionInput[] = [], builtin = true, file = PROMOTIONS_FILE): PromotionRecord[] => {
  const { promotions } = builtin ? promotionsFile.parse(JSON.parse(readFileSync(file, 'utf8'))) : { promotions: [] };
  return [
    ...promotions.map((p, i) => ({ ...p, source: `spec/promotions.json promotions[${i}]`, shipped: true })),
    ...extra.map((p, i) => ({ ...p, source: `promotions[${i}]` })),
  ];
};
