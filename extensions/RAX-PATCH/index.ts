import { attribute, badRequest, COMPUTE_NS, defineExtension, input, isoSeconds, map, metadataCheck, shape, type HookContext } from 'extgate';

/** What a patch may carry: the image's name and metadata. In XML, an <image> in the core namespace. */
const patch = shape('image', COMPUTE_NS, [
  input(attribute('name'), { check: (v) => (typeof v === 'string' && v.trim() !== '' && v.length <= 255 ? undefined : 'must be 1 to 255 characters') }),
  input(map('metadata', 'meta'), { nullable: true }),
]);

/** RFC 7396: members replace, null removes. Keys are user data (`__proto__` too): kept as own keys. */
const mergeMetadata = (current: Record<string, string>, change: Record<string, string | null>): Record<string, string> => {
  const next = new Map(Object.entries(current));
  for (const [k, v] of Object.entries(change)) {
    if (v === null) next.delete(k);
    else next.set(k, v);
  }
  return Object.fromEntries(next);
};

/** Discoverable PATCH (spec 3.2.5): `PATCH /v1/images/RAX-PATCH/{id}`, linked from every image. See README.md. */
export default defineExtension({
  name: 'Image Patch Extension',
  namespace: 'http://docs.rackspacecloud.com/servers/api/ext/patch/v1.0',
  alias: 'RAX-PATCH',
  updated: '2011-10-01T00:00:00Z',
  description: 'Adds PATCH (a JSON merge patch) of an image\'s name and metadata, at a URI each image links to.',
  links: [{ rel: 'describedby', type: 'application/pdf', href: 'http://docs.rackspacecloud.com/servers/api/ext/rax-patch.pdf' }],
  routes: [
    {
      method: 'PATCH',
      path: '/images/{alias}/{image_id}',
      input: patch,
      bare: true,
      jsonTypes: ['application/merge-patch+json'],
      output: 'image',
      handle: ({ doc, input: change, save, view, now }) => {
        const image = doc!;
        if (change === undefined || Object.keys(change).length === 0) throw badRequest('The patch changes nothing: give name or metadata.');
        if (change.name !== undefined) image.name = change.name;
        if (change.metadata !== undefined) {
          const merged = mergeMetadata(image.metadata as Record<string, string>, change.metadata as Record<string, string | null>);
          // The patched metadata keeps the core's limits, as createImage's does.
          const problem = metadataCheck(merged);
          if (problem !== undefined) throw badRequest(`The patched "metadata" ${problem}.`);
          image.metadata = merged;
        }
        image.updated = isoSeconds(now);
        save(image);
        return { status: 200, value: view(image) };
      },
    },
  ],
  hooks: (['images.list', 'images.detail', 'images.show'] as const).map((on) => ({
    on,
    // The link relation is the alias (spec 3.2.5): clients find the URI without knowing its shape.
    // Under each alias the version writes (RAX-PATCH and OS-PATCH while both are kept); none once
    // PATCH is core, where the image's own URI takes it.
    preSerialization: ({ result, results, aliases, base }: HookContext) => {
      for (const image of result !== undefined ? [result] : (results ?? [])) {
        for (const alias of aliases) (image.links as { rel: string; href: string }[]).push({ rel: alias, href: `${base}/images/${alias}/${image.id}` });
      }
    },
  })),
});
