"""A small exception hierarchy. Each message names the file and says what to do.

Exit codes are mapped once, at the CLI edge (pipeline/cli.py). Trouble on one
page is recorded in the result (Page.errors, a form's review list), not raised.

Exit codes of `pipeline run`:

    0    every input converted whole (manifest status `ok`; `skipped` files aside)
    1    some input failed (status `failed`); wins over 3 when both happen
    2    usage or config error (nothing converted)
    3    some input converted incompletely (status `partial`: a page no form used, a grid
         cut off or continuing a form whose head is absent, a form of no known template,
         a missing part of a form in several files); no input failed
    130  stopped by Ctrl-C (what finished is written; rerunning the command resumes)
"""

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_PARTIAL = 3
EXIT_INTERRUPTED = 130


class PipelineError(Exception):
    """Base class: an error we expected and can explain in one line."""

    exit_code = EXIT_FAILED


class UsageError(PipelineError):
    """The command line itself is wrong (missing path, bad option)."""

    exit_code = EXIT_USAGE


class ConfigError(PipelineError):
    """A config file is unreadable or invalid."""

    exit_code = EXIT_USAGE


class InputError(PipelineError):
    """One input file cannot be converted; the rest of the batch goes on."""


class UnsupportedInput(InputError):
    """Not a kind of file we read."""


class CorruptInput(InputError):
    """The file claims a format but its content is broken."""


class EncryptedInput(InputError):
    """The PDF is encrypted and no (correct) password was given."""


class NoFormFound(InputError):
    """The input was read but holds no recognisable form."""


class UnreadableInput(InputError):
    """The file is there but cannot be read (permissions, an I/O error)."""


class TimedOut(InputError):
    """Converting the input took longer than batch.input_timeout_s."""


class OutputError(PipelineError):
    """A result cannot be written (disk full, quota, permissions, a read-only --out)."""


class Interrupted(PipelineError):
    """The user stopped the run (Ctrl-C); what finished is written, a rerun resumes."""

    exit_code = EXIT_INTERRUPTED  # the shell's code for a process stopped by SIGINT
