"""formpipe: Chinese budget performance-target forms (绩效目标表) into clean data.

    from pipeline import convert
    result = convert("a.pdf")            # or convert(data, name="a.pdf"); nothing is written
    result.forms, result.tables          # the records, as dicts; result.status, result.errors

The command line is `pipeline run` (pipeline/cli.py); the API is pipeline/api.py.
"""

from importlib.metadata import PackageNotFoundError, version as _version

try:
    __version__ = _version("formpipe")
except PackageNotFoundError:  # a checkout on sys.path, not installed
    __version__ = "0+unknown"

__all__ = ["convert", "Result", "__version__"]


def __getattr__(name: str):
    if name in ("convert", "Result"):  # imported when used: `import pipeline` stays light
        from pipeline import api

        return getattr(api, name)
    raise AttributeError(f"module 'pipeline' has no attribute {name!r}")
