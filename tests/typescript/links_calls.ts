// Must compile: a resource API's routes, as a page calls them.
import type { Module, Link } from "./shortener";

declare const links: Module;

export async function rename(slug: string): Promise<Link> {
  const at: string = links.read.href({ slug });
  const listed: Link[] = await links.list.viaRoute({ limit: 10 });
  const made: Link = await links.create.viaRoute({ slug, target: "https://example.com/" + at });
  await links.remove.viaRoute({ slug: listed[0].slug });
  return links.update.viaRoute({ slug: made.slug, target: "https://example.org/" }, 0);
}
