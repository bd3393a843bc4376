// Compiles under `tsc --strict` against /shop.d.ts: structs, enums,
// maps, recursion, flatten, untagged, a typed error's statuses.
import type { Colour, Errors, Id, Item, Item_output, Module, Order, Tree } from "./shop";

declare const pico: { importModule(name: string): unknown };
const shop = pico.importModule("shop") as Module;

export async function calls(): Promise<number> {
  const item: Item = { name: "teapot", price_cents: 1999, tags: ["tea"], size: "small", dimensions: null };
  const echoed: Item_output = await shop.add_item(item);
  const sku: number = echoed.sku;
  const order: Order = { ...echoed, quantity: 2 };
  const total: number = await shop.total(order);
  const tree: Tree = { label: "root", children: [{ label: "leaf", children: [] }] };
  const size: number = await shop.tree_size(tree);
  const ids: Id[] = [7, "seven"];
  const colour: Colour = "C299";
  const painted = await shop.paint(colour);
  const stock: number = await shop.stock({ teapot: 3, cup: 12 });
  try {
    await shop.find("teapot");
  } catch (e) {
    const error = e as Errors["find"];
    if (error.code === 404 || error.code === 409) {
      console.log(error.message);
    }
  }
  return total + size + ids.length + stock + painted.colour.length + sku;
}
