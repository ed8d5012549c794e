"""The errors patchflow reports as one line on stderr and exit status 2."""


class PatchflowError(Exception):
    """A failure the user can act on; the CLI prints `patchflow: <message>` and exits 2."""

    exit_status = 2


class BadInput(PatchflowError):
    """An input file that cannot be read or is not a patch."""


class TreeError(PatchflowError):
    """A kernel tree that is missing, not a git repository, or a git operation that failed."""


class NetworkError(PatchflowError):
    """A server that is down, refuses, times out or answers what we cannot use."""


class ToolMissing(PatchflowError):
    """An external program (clang, cc, perl, ...) that is not installed."""

    def __init__(self, program, package):
        super().__init__(f"{program} not found: install the Debian package '{package}' (apt-get install {package})")
        self.program = program
        self.package = package
