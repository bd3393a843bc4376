// Must not compile: `multiply` takes numbers.
import type { Module } from "./api";

declare const api: Module;
export const product: Promise<number> = api.multiply("six", 7);
