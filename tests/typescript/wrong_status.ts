// Must not compile: `find` cannot reject with a 418.
import type { Errors } from "./shop";

export function isTeapot(error: Errors["find"]): boolean {
  return error.code === 418;
}
