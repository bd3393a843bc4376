// Must not compile: `hours` needs no token, so it never answers 401.
import type { Errors } from "./desk";

export function needsSignIn(error: Errors["hours"]): boolean {
  return error.code === 401;
}
