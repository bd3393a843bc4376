// Calls the everything example through openapi-fetch, typed by what
// openapi-typescript generated from its /openapi.json:
// `node calls.mjs http://127.0.0.1:PORT`. Prints an `ok - ...` line a
// check; throws at the first that fails. `tsc --strict` compiles it first.
import createClient from "openapi-fetch";
import type { paths } from "./schema.js";

const client = createClient<paths>({ baseUrl: process.argv[2] });

function check(name: string, got: unknown, expected: unknown): void {
  if (JSON.stringify(got) !== JSON.stringify(expected)) {
    throw new Error(`not ok - ${name}: ${JSON.stringify(got)} != ${JSON.stringify(expected)}`);
  }
  console.log(`ok - ${name}`);
}

// A wrong argument's type is tsc's error: were it not, the directive
// would be unused, which tsc refuses.
export async function neverCalled(): Promise<void> {
  // @ts-expect-error: `x` is a number
  await client.GET("/api/multiply", { params: { query: { x: "six", y: 7 } } });
}

// A plain function: GET with query parameters.
const hello = await client.GET("/api/hello", { params: { query: { who: "you" } } });
const greeting: string | undefined = hello.data;
check("hello", greeting, "Hello you");
const product: number | undefined = (await client.GET("/api/multiply", { params: { query: { x: 6, y: 7 } } })).data;
check("multiply", product, 42);

// A JSON body.
check("multiply by POST", (await client.POST("/api/multiply", { body: { x: 6, y: 7 } })).data, 42);
const described = await client.POST("/api/user_description", {
  body: { user: { name: "Ada", occupation: "mathematician", age: 36 } },
});
check("user_description", described.data, "Ada is a mathematician aged 36");

// A typed error: 418 falls under the documented 4XX. Whether the body is
// the standard one or problem details, its members are all there: the
// types say so, without a check for `undefined`.
const coffee = await client.GET("/api/make_coffee");
if (coffee.error === undefined) throw new Error("make_coffee did not fail");
const { code, name, message }: { code: number; name: string; message: string } = coffee.error;
check("make_coffee", [coffee.response.status, code, name, message],
  [418, 418, "I'm a teapot", "This server is a teapot: it will not brew coffee."]);
const problem = await client.GET("/api/make_coffee", { headers: { Accept: "application/problem+json" } });
if (problem.error === undefined) throw new Error("make_coffee did not fail");
check("make_coffee as a problem", [problem.response.headers.get("content-type"), problem.error.code],
  ["application/problem+json", 418]);

// An upload: the schema types the file as a string (`format: binary`),
// the body serializer makes the multipart form, the file a Blob.
const uploaded = await client.POST("/api/upload", {
  body: { filename: "hello.txt", upload: "hi there\n" },
  bodySerializer(body) {
    const form = new FormData();
    form.append("filename", body.filename);
    form.append("upload", new Blob([body.upload], { type: "text/plain" }), body.filename);
    return form;
  },
});
check("upload", uploaded.data, "hi there\n");

// A stream, its body text: so the document says, and so the types are
// (this assignment is tsc's check, not one the run makes).
type Events = paths["/api/countdown"]["get"]["responses"][200]["content"]["text/event-stream"];
export const describedAsText: Events = "data: 0\n\n";
const countdown = await client.GET("/api/countdown", { params: { query: { n: 3 } }, parseAs: "text" });
const events: string | undefined = countdown.data;
check("countdown", events, "data: 2\n\ndata: 1\n\ndata: 0\n\nevent: close\ndata: close\n\n");
