"""A hook: turn `--tag NAME=VALUE` pairs into an object (what no primitive does)."""


def tag_object(values, fields):  # type: ignore[no-untyped-def]
    pairs = [str(item).partition("=") for item in values.get("--tag") or ()]
    return {"tags": {name: value for name, _, value in pairs}}
