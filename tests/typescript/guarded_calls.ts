// Compiles under `tsc --strict` against /desk.d.ts: a page narrows on each
// status the admin's `file` can answer, its token's 401 included.
import type { Errors, Module } from "./desk";

declare const pico: { importModule(name: string): unknown; setBearerToken(module: unknown, token: string): void };
const desk = pico.importModule("desk") as Module;
pico.setBearerToken(desk, "admin-token");

export async function fileOrSay(id: number): Promise<string> {
  try {
    return String(await desk.file(id));
  } catch (e) {
    const error = e as Errors["file"];
    if (error.code === 401) return "sign in first";
    if (error.code === 403) return "the admin's to do";
    if (error.code === 409) return "filed already";
    return error.message;
  }
}
