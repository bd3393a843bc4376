"""The original Python client, pico==2.0.5's `pico.client`, unchanged,
against our server: `python client_test.py http://127.0.0.1:PORT`.

Exits non-zero on the first failed check.
"""

import inspect
import sys

# pico 2.0.5 was written for Pythons that had `inspect.getargspec`; 3.11
# has only `getfullargspec`. The shim lives here, in the test, not in pico.
if not hasattr(inspect, "getargspec"):
    from collections import namedtuple

    ArgSpec = namedtuple("ArgSpec", "args varargs keywords defaults")
    inspect.getargspec = lambda f: ArgSpec(*inspect.getfullargspec(f)[:4])

import pico.client  # noqa: E402

base = sys.argv[1].rstrip("/")


def check(name, got, expected):
    if got != expected:
        sys.exit(f"not ok - {name}: {got!r} != {expected!r}")
    print(f"ok - {name}")


api = pico.client.load(f"{base}/everything-module")
check("hello with its default", api.hello(), "Hello world")
check("hello", api.hello("Python"), "Hello Python")
check("multiply", api.multiply(6, 7), 42)
check(
    "user_description",
    api.user_description({"name": "Bob", "occupation": "Software Engineer", "age": 30}),
    "Bob is a Software Engineer aged 30",
)
check("the docstring", api.hello.__doc__.strip(), "Says hello.")

try:
    api.make_coffee()
    sys.exit("not ok - make_coffee did not raise")
except pico.client.PicoException as e:
    check("make_coffee raises with our message", str(e), "This server is a teapot: it will not brew coffee.")

try:
    api.fail()
    sys.exit("not ok - fail did not raise")
except pico.client.PicoException as e:
    check("fail raises with the 500 message", str(e).startswith("The server encountered an internal error"), True)

check("anonymous", api.current_user(), None)
api._pico_client.set_auth_basic("bob", "secret")
check("basic auth", api.current_user(), "bob")
api._pico_client.set_auth_basic("bob", "wrong")
try:
    api.current_user()
    sys.exit("not ok - a wrong password was accepted")
except pico.client.PicoException as e:
    check("a wrong password", str(e), "Incorrect username or password")
api._pico_client.clear_auth()
check("signed out", api.current_user(), None)
