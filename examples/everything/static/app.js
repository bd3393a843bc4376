// The everything page: each button runs one example and shows its answer.
const api = pico.importModule("api");

function field(section, name) {
  return document.querySelector(`#${section} [name=${name}]`);
}

function show(section, value, state = "done") {
  const output = document.querySelector(`#${section} output`);
  output.textContent = typeof value === "string" ? value : JSON.stringify(value);
  output.dataset.state = state;
}

function showError(section) {
  return (e) => show(section, `${e.code} ${e.name}: ${e.message}`, "error");
}

const examples = {
  hello: () => api.hello(field("hello", "name").value).then((r) => show("hello", r)),
  helloDefault: () => api.hello().then((r) => show("hello", r)),
  multiply: () =>
    api.multiply(field("multiply", "x").valueAsNumber, field("multiply", "y").valueAsNumber).then((r) => show("multiply", r)),
  form: () =>
    api.multiply.submitFormData(new FormData(document.querySelector("#form form"))).then((r) => show("form", r)),
  json: () => api.multiply.submitJSON({ x: 6, y: 9 }).then((r) => show("json", r)),
  upload: () => {
    const file = field("upload", "upload").files[0];
    return api.upload(file, file.name).then((r) => show("upload", r), showError("upload"));
  },
  user: () =>
    api.user_description({ name: "Bob", occupation: "Software Engineer", age: 30 }).then((r) => show("user", r)),
  ip: () => api.my_ip().then((r) => show("ip", r)),
  auth: () => {
    pico.setAuthentication(api, field("auth", "username").value, field("auth", "password").value);
    const call = api.current_user();
    pico.clearAuthentication(api);
    return call.then((r) => show("auth", `signed in as ${r}`), showError("auth"));
  },
  cookie: async () => {
    const before = await api.session_id();
    await api.start_session();
    const during = await api.session_id();
    await api.end_session();
    const after = await api.session_id();
    show("cookie", { before, during, after });
  },
  hook: () => {
    pico.setRequestHook(api, "session", (req) => req.headers.set("X-Session-Id", "4242"));
    const call = api.session_id2();
    pico.clearRequestHook(api, "session");
    return call.then((r) => show("hook", r));
  },
  stream: () => {
    const items = [];
    return api
      .countdown(5)
      .each((n) => {
        items.push(n);
        show("stream", items.join(" … "), "running");
      })
      .then(() => show("stream", items.join(" … ") + " … Boom!"), showError("stream"));
  },
  teapot: () => api.make_coffee().then((r) => show("teapot", r), showError("teapot")),
  fail: () => api.fail().then((r) => show("fail", r), showError("fail")),
  help: () => show("help", pico.help(api.hello)),
};

for (const button of document.querySelectorAll("button[data-run]")) {
  button.addEventListener("click", () => examples[button.dataset.run]());
}
