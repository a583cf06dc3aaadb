import { expect, test } from 'vitest';
import { startServer, writeConfig } from './support/process.ts';
import { FLAVOR, IMAGE } from './support/compute.ts';

/**
 * Kill the server hard (SIGKILL) in the middle of a write load, restart it on the same store, and
 * check that every write acknowledged with a 2xx is there, whole, and that nothing else is half-written.
 */
test('SIGKILL under write load: every acknowledged write survives, nothing is half-written', async () => {
  const config = writeConfig({});
  const first = await startServer(config);
  const acknowledged = new Map<string, { name: string; tags: string[] }>();
  let stop = false;
  let sent = 0;

  const writer = async (w: number) => {
    for (let i = 0; !stop; i++) {
      const name = `w${w}-${i}`;
      const tags = [`writer-${w}`, `n-${i}`];
      sent++;
      try {
        const r = await fetch(`${first.url}/v1/servers`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ server: { name, imageRef: IMAGE, flavorRef: FLAVOR, metadata: { writer: String(w), i: String(i) }, 'MLTI-TAGS:tags': tags } }),
        });
        if (r.status === 202) acknowledged.set((await r.json()).server.id, { name, tags });
        else await r.arrayBuffer();
      } catch {
        return; // the server is gone: no answer, no acknowledgement
      }
    }
  };
  const writers = Array.from({ length: 8 }, (_, w) => writer(w));
  await new Promise((r) => setTimeout(r, 1500));
  first.child.kill('SIGKILL');
  stop = true;
  await Promise.all(writers);
  await first.exited;
  expect(acknowledged.size).toBeGreaterThan(20);

  const second = await startServer(config);
  try {
    const listed = new Map<string, Record<string, unknown>>();
    let path = '/v1/servers/detail?limit=500';
    for (;;) {
      const page = await (await fetch(second.url + path)).json();
      for (const s of page.servers) listed.set(s.id, s);
      if (!page.servers_links) break;
      const next = new URL(page.servers_links[0].href);
      path = next.pathname + next.search;
    }
    for (const [id, want] of acknowledged) {
      const s = listed.get(id);
      expect(s, `acknowledged server ${id} is missing`).toBeDefined();
      expect(s!.name).toBe(want.name);
      expect(s!['MLTI-TAGS:tags']).toEqual(want.tags);
    }
    // Whatever else is there (written but not acknowledged before the kill) is whole too.
    for (const s of listed.values()) {
      expect(s).toMatchObject({ image: { id: IMAGE }, flavor: { id: FLAVOR }, metadata: { writer: expect.any(String), i: expect.any(String) } });
      expect((s['MLTI-TAGS:tags'] as string[]).length).toBe(2);
    }
    expect(listed.size).toBeLessThanOrEqual(sent);
  } finally {
    second.child.kill('SIGKILL');
  }
}, 60_000);
