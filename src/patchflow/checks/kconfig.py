"""Kconfig entries: a new user-visible config symbol comes with a help paragraph."""

from __future__ import annotations

from . import WARNING, Hit, check
from ..lazy_regex import lazy

_ENTRY = lazy(r"^\s*(?:config|menuconfig|choice)\b")
_PROMPTED = lazy(r"^\s*(?:bool|tristate|prompt)\s*[\"']")
_HELP = lazy(r"^\s*help\s*$")
# a line that ends the entry: the next entry, or a block around it
_ENTRY_END = lazy(r"^(?:config|menuconfig|choice|endchoice|if|endif|menu|endmenu|source)\b")
MIN_HELP_LINES = 4  # checkpatch's $min_conf_desc_length


def _needs_more_help(lines):
    """Whether the entry whose following hunk lines are `lines` (DiffLines, removed ones left out)
    has a prompt and fewer than MIN_HELP_LINES lines of help, counted as checkpatch counts them: the
    non-blank lines after `help`, `#` comments cut, up to the next entry or the hunk's end."""
    prompted = has_help = False
    help_lines = 0
    for line in lines:
        kind, text = line.kind, line.text
        if kind == "+" and _PROMPTED.match(text):
            prompted = True
            continue
        if kind == "+" and _HELP.match(text):
            has_help = True
            continue
        text = text.split("#", 1)[0].lstrip()
        if not text:
            continue
        if _ENTRY_END.match(text):
            break
        help_lines += has_help
    return prompted and help_lines < MIN_HELP_LINES


@check("CONFIG_DESCRIPTION", level=WARNING)
def config_description(patch, ctx):
    """A new config symbol with a prompt has no help text, or fewer than four lines of it.

    ## What it does
    In a Kconfig file, reads each added `config`, `menuconfig` or `choice` entry through the rest of
    its hunk; when the entry has a prompt (`bool "..."`, `tristate "..."`, `prompt "..."`) and its
    `help` paragraph has fewer than four non-blank lines (or there is none), the entry's first line
    is reported, as checkpatch does. Only lines the patch shows are read, so an entry cut by the
    hunk's end counts what it shows.

    ## Why is this bad?
    A prompted symbol is a question `make menuconfig` and `make oldconfig` ask whoever builds a
    kernel; the help text is all they have to answer it with. Documentation/kbuild/kconfig-language.rst
    asks what the option does, when to say Y, and what it costs.

    ## Example
    ```bad path=net/netfilter/Kconfig
    +config NFT_EXAMPLE
    +	tristate "Netfilter nf_tables example expression"
    +	help
    +	  This option adds the example expression.
    +
    ```

    ```good path=net/netfilter/Kconfig
    +config NFT_EXAMPLE
    +	tristate "Netfilter nf_tables example expression"
    +	help
    +	  This option adds the "example" expression, which counts the
    +	  packets a rule sees and compares the count with a limit. It is
    +	  used by nft's "example" statement.
    +
    +	  To compile it as a module, choose M here.
    +
    ```

    ## Fix
    Write a help paragraph of at least four lines under `help`: what the option does, when to
    enable it, and what `M` builds.
    """
    for file in patch.files:
        if "Kconfig" not in file.path:
            continue
        for hunk in file.hunks:
            shown = [line for line in hunk.lines if line.kind != "-"]
            for index, line in enumerate(shown):
                if line.kind == "+" and _ENTRY.match(line.text) and _needs_more_help(shown[index + 1:]):
                    yield Hit.at(line, file, "please write a help paragraph that fully describes the config symbol")
