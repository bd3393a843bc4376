/*
 * pico.js: the JavaScript client of a Pico API, served at /pico.js.
 *
 * A Pico API describes itself; this file turns each description into a
 * proxy whose functions call the server and return promises:
 *
 *   <script src="/pico.js"></script>
 *   <script src="/api.js"></script>          <!-- pico.loadModuleDefinition({...}) -->
 *   <script>
 *     const api = pico.importModule("api");
 *     api.hello("you").then(console.log);     // "Hello you"
 *   </script>
 *
 * or, without the second script tag, `pico.loadAsync("/api").then(api => ...)`.
 * No build step and no dependency: it runs as it is in current browsers.
 */
(function (root, factory) {
  "use strict";
  const pico = factory();
  if (typeof module === "object" && module.exports) {
    module.exports = pico;
  }
  if (root) {
    root.pico = pico;
  }
})(typeof globalThis !== "undefined" ? globalThis : this, function () {
  "use strict";

  /** Modules loaded so far, by name: no prototype, so that a module named
   * `__proto__` is a module and not a way into `Object.prototype`. */
  const modules = Object.create(null);
  /** Sets an own property, whatever its name (`__proto__` included). */
  const define = (object, name, value) =>
    Object.defineProperty(object, name, { value, enumerable: true, configurable: true, writable: true });
  /** Per module: the credential to send, as `[header, value]`, if any. */
  const authorization = new WeakMap();
  /** Per module: request hooks by name. */
  const hooks = new WeakMap();

  /** An `Error` from a Pico error body: `message`, `code`, `name`, and any other keys. */
  function picoError(body, status) {
    const details = body && typeof body === "object" ? body : {};
    const error = new Error(details.message || `HTTP ${status}`);
    error.code = details.code || status;
    error.name = details.name || "Error";
    for (const key of Object.keys(details)) {
      if (!(key in error)) {
        error[key] = details[key];
      }
    }
    return error;
  }

  function isFile(value) {
    return (typeof Blob !== "undefined" && value instanceof Blob);
  }

  /** What a request carries before it is sent, for request hooks to change. */
  function prepare(module, url, init) {
    const request = { url, method: init.method || "POST", headers: new Headers(init.headers || {}), body: init.body };
    const credential = authorization.get(module);
    if (credential) {
      request.headers.set(credential[0], credential[1]);
    }
    const moduleHooks = hooks.get(module);
    if (moduleHooks) {
      for (const hook of moduleHooks.values()) {
        hook(request);
      }
    }
    return request;
  }

  /** Sends a prepared request; resolves with the JSON result, rejects with a Pico error. */
  async function send(request) {
    const response = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      credentials: "same-origin",
    });
    const text = await response.text();
    let body;
    try {
      body = text === "" ? null : JSON.parse(text);
    } catch (e) {
      if (!response.ok) {
        throw picoError(null, response.status);
      }
      return text;
    }
    if (!response.ok) {
      throw picoError(body, response.status);
    }
    return body;
  }

  /** The arguments of a call by name, from positional values and the definition. */
  function namedArgs(definition, values) {
    const args = {};
    definition.args.forEach(function (arg, i) {
      if (i < values.length && values[i] !== undefined) {
        args[arg.name] = values[i];
      } else if ("default" in arg) {
        args[arg.name] = arg.default;
      }
    });
    return args;
  }

  /** A form whose values are JSON (files stay files): what the server reads as "pragmatic JSON". */
  function formOf(args) {
    const form = new FormData();
    for (const [name, value] of Object.entries(args)) {
      if (isFile(value)) {
        form.append(name, value, value.name || name);
      } else {
        form.append(name, JSON.stringify(value));
      }
    }
    return form;
  }

  function queryOf(args) {
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(args)) {
      query.append(name, JSON.stringify(value));
    }
    const text = query.toString();
    return text ? "?" + text : "";
  }

  /**
   * The URL of a function's route (the first, or `routes[index]`) with its
   * placeholders filled from `args`, each one segment however it reads;
   * what is left of `args` goes in the query when `withQuery`, else back.
   */
  function routeURL(routes, args, index, withQuery) {
    const route = routes[index || 0];
    if (!route) {
      throw new Error("This function has no route" + (index ? " " + index : "") + ".");
    }
    const rest = Object.assign({}, args);
    const url = route.url.replace(/\{([^}]+)\}/g, function (_, name) {
      if (!(name in rest)) {
        throw new Error("The route " + route.url + " needs `" + name + "`.");
      }
      const value = rest[name];
      delete rest[name];
      return encodeURIComponent(typeof value === "string" ? value : JSON.stringify(value));
    });
    return { route, url: withQuery ? url + queryOf(rest) : url, rest };
  }

  /**
   * A stream: `each(fn)` for every item, `then`/`catch` for its end (the
   * close event, or an error event), `close()` to stop it.
   */
  function openStream(url) {
    const source = new EventSource(url, { withCredentials: false });
    const listeners = [];
    let settle;
    const done = new Promise(function (resolve, reject) {
      settle = { resolve, reject };
    });
    const stream = {
      each(fn) {
        listeners.push(fn);
        return stream;
      },
      then(onDone, onError) {
        return done.then(onDone, onError);
      },
      catch(onError) {
        return done.catch(onError);
      },
      close() {
        source.close();
        settle.resolve();
        return stream;
      },
    };
    source.onmessage = function (event) {
      const item = JSON.parse(event.data);
      for (const fn of listeners) {
        fn(item);
      }
    };
    source.addEventListener("close", function () {
      source.close();
      settle.resolve();
    });
    source.addEventListener("error", function (event) {
      source.close();
      if (typeof event.data === "string") {
        settle.reject(picoError({ name: "Error", code: 500, message: event.data }, 500));
      } else {
        settle.reject(new Error("The stream was interrupted."));
      }
    });
    return stream;
  }

  /** The proxy function of one definition. */
  function functionProxy(module, definition) {
    const call = function () {
      const args = namedArgs(definition, Array.from(arguments));
      if (definition.stream) {
        return openStream(definition.url + queryOf(args));
      }
      if (definition.method === "GET") {
        return send(prepare(module, definition.url + queryOf(args), { method: "GET" }));
      }
      return send(prepare(module, definition.url, { method: definition.method || "POST", body: formOf(args) }));
    };
    call.submitJSON = function (object) {
      const request = prepare(module, definition.url, {
        method: definition.method || "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(object),
      });
      return send(request);
    };
    call.submitFormData = function (formData) {
      return send(prepare(module, definition.url, { method: definition.method || "POST", body: formData }));
    };
    call.routes = definition.routes || [];
    call.href = function (args, index) {
      return routeURL(call.routes, args, index, true).url;
    };
    call.viaRoute = function (args, index) {
      const { route, url, rest } = routeURL(call.routes, args, index, false);
      if (route.method === "GET") {
        return send(prepare(module, url + queryOf(rest), { method: "GET" }));
      }
      const init = { method: route.method, headers: { "Content-Type": "application/json" }, body: JSON.stringify(rest) };
      return send(prepare(module, url, init));
    };
    call.definition = definition;
    Object.defineProperty(call, "name", { value: definition.name });
    return call;
  }

  const pico = {
    modules,

    /** Builds (or rebuilds) the proxy of a module from its definition. */
    loadModuleDefinition(definition) {
      const module = Object.hasOwn(modules, definition.name) ? modules[definition.name] : {};
      for (const key of Object.keys(module)) {
        if (typeof module[key] === "function") {
          delete module[key];
        }
      }
      Object.defineProperty(module, "__definition__", { value: definition, configurable: true, writable: true });
      for (const fn of definition.functions) {
        define(module, fn.name, functionProxy(module, fn));
      }
      define(modules, definition.name, module);
      return module;
    },

    /** Loads every module of an app definition; returns `{url, modules}`. */
    loadAppDefinition(definition) {
      const app = { url: definition.url, modules: Object.create(null) };
      for (const moduleDefinition of definition.modules) {
        define(app.modules, moduleDefinition.name, pico.loadModuleDefinition(moduleDefinition));
      }
      return app;
    },

    /** A module already loaded (by its `/module.js` script, or `loadAsync`). */
    importModule(name) {
      const module = Object.hasOwn(modules, name) ? modules[name] : undefined;
      if (!module) {
        throw new Error(`pico: the module "${name}" is not loaded: add <script src="/${name.replace(/\./g, "/")}.js"> or use pico.loadAsync`);
      }
      return module;
    },

    /** Fetches a module's (or the app's) definition and loads it. */
    async loadAsync(url) {
      const definition = await send({ url, method: "GET", headers: new Headers({ Accept: "application/json" }) });
      return definition.functions ? pico.loadModuleDefinition(definition) : pico.loadAppDefinition(definition);
    },

    /** Fetches a loaded module's definition again, updating its proxy. */
    reload(module) {
      return pico.loadAsync(module.__definition__.url);
    },

    /** A description of a module or a function, also written to the console. */
    help(target) {
      const describe = function (fn) {
        const args = fn.args.map((a) => ("default" in a ? `${a.name}=${JSON.stringify(a.default)}` : a.name));
        let text = `${fn.name}(${args.join(", ")})`;
        if (fn.stream) text += " [stream]";
        if (fn.method) text += ` [${fn.method}]`;
        if (fn.doc) text += "\n    " + fn.doc.split("\n").join("\n    ");
        return text;
      };
      let text;
      if (target && target.__definition__) {
        const definition = target.__definition__;
        text = [definition.name + (definition.doc ? "\n" + definition.doc : "")]
          .concat(definition.functions.map(describe))
          .join("\n\n");
      } else if (target && target.definition) {
        text = describe(target.definition);
      } else {
        text = "pico.help(module) or pico.help(module.function)";
      }
      if (typeof console !== "undefined") console.log(text);
      return text;
    },

    /** Sends `Authorization: Basic ...` with every call of `module`. */
    setAuthentication(module, user, password) {
      const bytes = new TextEncoder().encode(`${user}:${password}`);
      authorization.set(module, ["Authorization", "Basic " + btoa(String.fromCharCode.apply(null, bytes))]);
    },

    /** Sends `Authorization: Bearer <token>` with every call of `module`. */
    setBearerToken(module, token) {
      authorization.set(module, ["Authorization", "Bearer " + token]);
    },

    /** Sends an API key in the header `header` with every call of `module`. */
    setApiKey(module, header, key) {
      authorization.set(module, [header, key]);
    },

    /** Stops sending credentials with `module`'s calls (any of the three above). */
    clearAuthentication(module) {
      authorization.delete(module);
    },

    /** Runs `fn(request)` before each call of `module`; it may change `request.headers`. */
    setRequestHook(module, name, fn) {
      if (!hooks.has(module)) hooks.set(module, new Map());
      hooks.get(module).set(name, fn);
    },

    /** Removes a request hook. */
    clearRequestHook(module, name) {
      if (hooks.has(module)) hooks.get(module).delete(name);
    },
  };

  return pico;
});
