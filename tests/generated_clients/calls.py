"""Calls the everything example through the client openapi-python-client
generated from its /openapi.json: `python calls.py http://127.0.0.1:PORT`.
Prints an `ok - ...` line a check; exits non-zero at the first that fails.
`mypy --strict` checks this file and the generated package first."""

import io
import sys

from everything_client import Client
from everything_client.api.api import (
    api_countdown,
    api_hello,
    api_make_coffee,
    api_multiply,
    api_upload,
    api_user_description_post,
)
from everything_client.models.api_upload_body import ApiUploadBody
from everything_client.models.api_user_description_post_body import (
    ApiUserDescriptionPostBody,
)
from everything_client.models.pico_error import PicoError
from everything_client.models.user import User
from everything_client.types import File


def check(name: str, got: object, expected: object) -> None:
    if got != expected:
        sys.exit(f"not ok - {name}: {got!r} != {expected!r}")
    print(f"ok - {name}")


def never_called(client: Client) -> None:
    # A wrong argument's type is mypy's error: were it not, the comment
    # below would be an unused ignore, which --strict refuses.
    api_multiply.sync(client=client, x="six", y=7)  # type: ignore[arg-type]


def main(base: str) -> None:
    client = Client(base_url=base, raise_on_unexpected_status=True)

    # A plain function: GET with query parameters, and a default.
    check("hello", api_hello.sync(client=client, who="you"), "Hello you")
    check("hello's default", api_hello.sync(client=client), "Hello world")
    # An i128 result beyond what a double holds: Python's int keeps it.
    big = 2**63 - 1
    check("multiply", api_multiply.sync(client=client, x=big, y=big), big * big)

    # A JSON body. Not multiply's: its module fails at import (see
    # mypy.ini, openapi-python-client#1451). And user_description by POST:
    # its GET takes `user` as a JSON query parameter, which the generator
    # leaves out of the call's arguments
    # (https://github.com/openapi-generators/openapi-python-client/pull/1464).
    user = User(name="Ada", occupation="mathematician", age=36)
    said = api_user_description_post.sync(
        client=client, body=ApiUserDescriptionPostBody(user=user)
    )
    check("user_description", said, "Ada is a mathematician aged 36")

    # A typed error: 418 falls under the documented 4XX, read as PicoError.
    answer = api_make_coffee.sync_detailed(client=client)
    check("make_coffee's status", answer.status_code, 418)
    error = answer.parsed
    assert isinstance(error, PicoError), error
    check(
        "make_coffee's error",
        (error.code, error.name, error.message),
        (418, "I'm a teapot", "This server is a teapot: it will not brew coffee."),
    )
    check("make_coffee's request id", error.request_id, answer.headers["x-request-id"])
    # Problem details keep the standard members: the same model reads them.
    problems = client.with_headers({"Accept": "application/problem+json"})
    answer = api_make_coffee.sync_detailed(client=problems)
    check("problem's content type", answer.headers["content-type"], "application/problem+json")
    error = answer.parsed
    assert isinstance(error, PicoError), error
    check("problem read as PicoError", (error.code, error.name), (418, "I'm a teapot"))
    check("problem's own members", error.additional_properties["status"], 418)

    # An upload, as multipart/form-data. The file needs its `file_name`:
    # a part without one is a text field, and Pico says so (400).
    body = ApiUploadBody(
        filename="hello.txt",
        upload=File(
            payload=io.BytesIO(b"hi there\n"),
            file_name="hello.txt",
            mime_type="text/plain",
        ),
    )
    check("upload", api_upload.sync(client=client, body=body), "hi there\n")
    refused = api_upload.sync(
        client=client,
        body=ApiUploadBody(
            filename="a.png", upload=File(payload=io.BytesIO(b"x"), file_name="a.png")
        ),
    )
    assert isinstance(refused, PicoError), refused
    check("upload refused", (refused.code, refused.message), (400, "Upload must be a .txt file!"))

    # A stream: its body is text, which the generated client hands over.
    events = api_countdown.sync(client=client, n=3)
    check(
        "countdown",
        events,
        "data: 2\n\ndata: 1\n\ndata: 0\n\nevent: close\ndata: close\n\n",
    )


if __name__ == "__main__":
    main(sys.argv[1])
