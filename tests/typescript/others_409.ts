// Must not compile: the 409 of `DeskError` is `file`'s; `read` declares
// only its 404.
import type { Errors } from "./desk";

export function isFiled(error: Errors["read"]): boolean {
  return error.code === 409;
}
