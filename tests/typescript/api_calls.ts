// Compiles under `tsc --strict` against the declarations the everything
// example serves at /api.d.ts: each call as a page writes it.
import type { Errors, Module, User } from "./api";

declare const pico: { importModule(name: string): unknown };
const api = pico.importModule("api") as Module;

export async function calls(): Promise<string[]> {
  const greeting: string = await api.hello("you");
  const byDefault: string = await api.hello();
  const product: number = await api.multiply(6, 7);
  const viaJson: number = await api.multiply.submitJSON({ x: 6, y: 7 });
  const user: User = { name: "Arthur", occupation: "sandwich maker", age: 42 };
  const description: string = await api.user_description(user);
  const uploaded: string = await api.upload(new Blob(["some text"]), "notes.txt");
  const ip: string | null = await api.my_ip();
  const ended: void = await api.countdown(3).each((n: number) => console.log(n.toFixed(0)));
  try {
    await api.make_coffee();
  } catch (e) {
    const error = e as Errors["make_coffee"];
    console.log(error.code, error.message, error.request_id);
  }
  return [greeting, byDefault, String(product + viaJson), description, uploaded, String(ip), String(ended)];
}
