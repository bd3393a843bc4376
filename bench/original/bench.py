"""Server C: the benchmark's endpoints with the original pico 2.0.5, served
by gunicorn (`gunicorn --workers 2 bench:app` from this folder)."""

import inspect

# pico 2.0.5 predates Python 3.11, which lost `inspect.getargspec`.
if not hasattr(inspect, "getargspec"):
    from collections import namedtuple

    ArgSpec = namedtuple("ArgSpec", "args varargs keywords defaults")
    inspect.getargspec = lambda f: ArgSpec(*inspect.getfullargspec(f)[:4])

import pico  # noqa: E402
from pico import PicoApp  # noqa: E402
from pico.decorators import stream  # noqa: E402
from werkzeug.exceptions import NotFound  # noqa: E402


@pico.expose()
def multiply(x, y):
    return x * y


@pico.expose()
def hello(who):
    return "hello %s!" % who


@pico.expose()
def object():
    return {
        "kind": "benchmark",
        "entries": [
            {"id": i, "name": "entry number %d" % i, "active": i % 2 == 0, "score": i * 1.5}
            for i in range(64)
        ],
    }


@pico.expose()
def missing():
    raise NotFound()


@pico.expose()
def panics():
    raise Exception("boom")


@pico.expose()
@stream()
def items():
    for i in range(100):
        yield i


@pico.expose()
def upload(file):
    return len(file.read())


app = PicoApp()
app.register_module(__name__)
