"""A small exception hierarchy. Each message names the file and says what to do.

Exit codes are mapped once, at the CLI edge (pipeline/cli.py). Trouble on one
page is recorded in the result (Page.errors, a form's review list), not raised.
"""


class PipelineError(Exception):
    """Base class: an error we expected and can explain in one line."""

    exit_code = 1


class UsageError(PipelineError):
    """The command line itself is wrong (missing path, bad option)."""

    exit_code = 2


class ConfigError(PipelineError):
    """A config file is unreadable or invalid."""

    exit_code = 2


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


class Interrupted(PipelineError):
    """The user stopped the run (Ctrl-C); what finished is written, a rerun resumes."""

    exit_code = 130  # the shell's code for a process stopped by SIGINT
