import type { ExtensionDefinition } from '../../src/extension/define.ts';

/** A sound extension descriptor for `alias`, with `extra` on top: what registry tests start from. */
export const descriptor = (alias: string, extra: Partial<ExtensionDefinition> = {}): ExtensionDefinition => ({
  name: `${alias} extension`,
  namespace: `http://example.com/ext/${alias.toLowerCase()}/v1.0`,
  alias,
  updated: '2011-09-27T00:00:00Z',
  description: `What ${alias} does.`,
  links: [{ rel: 'describedby', type: 'application/pdf', href: `http://example.com/${alias}.pdf` }],
  ...extra,
});
