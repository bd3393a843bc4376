"""The module both servers serve in the differential test
(`tests/differential.rs`): the original pico 2.0.5 this one, under gunicorn
(`gunicorn --chdir tests/differential diffapp:app`); Pico for Rust its twin
in Rust."""

import inspect

# pico 2.0.5 predates Python 3.11, which lost `inspect.getargspec`.
if not hasattr(inspect, "getargspec"):
    from collections import namedtuple

    ArgSpec = namedtuple("ArgSpec", "args varargs keywords defaults")
    inspect.getargspec = lambda f: ArgSpec(*inspect.getfullargspec(f)[:4])

import pico  # noqa: E402
from pico import PicoApp  # noqa: E402
from pico.decorators import stream  # noqa: E402
from werkzeug.exceptions import Forbidden, NotFound  # noqa: E402


@pico.expose()
def hello(who="world"):
    """Says hello."""
    return "Hello %s" % who


@pico.expose()
def multiply(x, y):
    return x * y


@pico.expose()
def echo(value):
    return value


@pico.expose()
def fail():
    raise Exception("fail")


@pico.expose()
def missing():
    raise NotFound()


@pico.expose()
def forbidden():
    raise Forbidden()


@pico.expose()
def upload(upload):
    return upload.read().decode("utf-8")


@pico.expose()
@stream()
def countdown(n=3):
    for i in range(n - 1, -1, -1):
        yield i


app = PicoApp()
app.register_module(__name__)
