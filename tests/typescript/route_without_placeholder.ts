// Must not compile: the route of `read` needs its `slug`.
import type { Module } from "./shortener";

declare const links: Module;

export const at: string = links.read.href({});
