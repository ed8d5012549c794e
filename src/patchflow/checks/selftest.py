"""A new selftest script must be listed in its directory's Makefile, or `make run_tests` (and the
netdev CI) never runs it. NIPA's `check_selftest` patch test."""

from __future__ import annotations

import posixpath
import re

from . import WARNING, Hit, check

SELFTESTS = "tools/testing/selftests/"


def _makefile_text(directory: str, ctx) -> str:
    """The directory's Makefile as the series leaves it: the tree's file plus every line the series
    adds to it (a line it removes may stay: being listed anywhere is what counts)."""
    makefile = posixpath.join(directory, "Makefile")
    known = ctx.once(_new_memo)
    if makefile not in known:
        text = ctx.tree.read_text(makefile) if ctx.tree is not None else None
        added = [line.text for patch in ctx.series for file in patch.files if file.path == makefile
                 for line in file.added_lines()]
        created = any(file.path == makefile and file.is_new for patch in ctx.series for file in patch.files)
        known[makefile] = None if text is None and not created else (text or "") + "\n" + "\n".join(added)
    return known[makefile]


def _new_memo(ctx) -> dict:
    """The run's Makefile texts by path (one dict per run, through ctx.once)."""
    return {}


@check("SELFTEST_NOT_IN_MAKEFILE", level=WARNING)
def selftest_not_in_makefile(patch, ctx):
    """A new selftest shell script that its directory's Makefile does not list.

    ## What it does
    For every `.sh` file the patch adds under `tools/testing/selftests/`, reads the Makefile beside
    it (from the tree, with the lines the series adds to it) and reports the script when its name
    appears nowhere in it. A directory without a Makefile (in the tree or in the series) is left
    alone, as is a script the patch only changes.

    ## Why is this bad?
    kselftest runs what a Makefile lists in `TEST_PROGS` (and installs what `TEST_FILES` lists);
    a script missing from it never runs in `make run_tests`, in the netdev CI or in anyone's test
    farm, so the fix it was written to prove is never proven. The netdev CI fails such a patch
    (NIPA's `check_selftest` test); Documentation/dev-tools/kselftest.rst describes TEST_PROGS.

    ## Example
    A new test directory whose Makefile lists test.sh but not test-tcp.sh (checkpatch's
    FILE_PATH_CHANGES, which every new file raises, is left out of the example):

    ```bad --ignore=FILE_PATH_CHANGES
    Subject: [PATCH net-next] selftests: ovpn: Add the peer-to-peer tests

    Create an ovpn interface in a namespace, over UDP and over TCP.

    Signed-off-by: Jane Doe <jane@example.org>
    ---
    diff --git a/tools/testing/selftests/net/ovpn/Makefile b/tools/testing/selftests/net/ovpn/Makefile
    new file mode 100644
    index 0000000..2222222
    --- /dev/null
    +++ b/tools/testing/selftests/net/ovpn/Makefile
    @@ -0,0 +1,4 @@
    +# SPDX-License-Identifier: GPL-2.0
    +TEST_PROGS := test.sh
    +
    +include ../../lib.mk
    diff --git a/tools/testing/selftests/net/ovpn/test-tcp.sh b/tools/testing/selftests/net/ovpn/test-tcp.sh
    new file mode 100755
    index 0000000..2222222
    --- /dev/null
    +++ b/tools/testing/selftests/net/ovpn/test-tcp.sh
    @@ -0,0 +1,6 @@
    +#!/bin/bash
    +# SPDX-License-Identifier: GPL-2.0
    +
    +PROTO=TCP
    +
    +source "$(dirname "$0")/test.sh"
    diff --git a/tools/testing/selftests/net/ovpn/test.sh b/tools/testing/selftests/net/ovpn/test.sh
    new file mode 100755
    index 0000000..2222222
    --- /dev/null
    +++ b/tools/testing/selftests/net/ovpn/test.sh
    @@ -0,0 +1,8 @@
    +#!/bin/bash
    +# SPDX-License-Identifier: GPL-2.0
    +
    +PROTO=${PROTO:-UDP}
    +
    +ip netns add peer0
    +ip -n peer0 link add ovpn0 type ovpn role p2p
    +ip netns del peer0
    ```

    ```good --ignore=FILE_PATH_CHANGES
    Subject: [PATCH net-next] selftests: ovpn: Add the peer-to-peer tests

    Create an ovpn interface in a namespace, over UDP and over TCP.

    Signed-off-by: Jane Doe <jane@example.org>
    ---
    diff --git a/tools/testing/selftests/net/ovpn/Makefile b/tools/testing/selftests/net/ovpn/Makefile
    new file mode 100644
    index 0000000..2222222
    --- /dev/null
    +++ b/tools/testing/selftests/net/ovpn/Makefile
    @@ -0,0 +1,4 @@
    +# SPDX-License-Identifier: GPL-2.0
    +TEST_PROGS := test.sh test-tcp.sh
    +
    +include ../../lib.mk
    diff --git a/tools/testing/selftests/net/ovpn/test-tcp.sh b/tools/testing/selftests/net/ovpn/test-tcp.sh
    new file mode 100755
    index 0000000..2222222
    --- /dev/null
    +++ b/tools/testing/selftests/net/ovpn/test-tcp.sh
    @@ -0,0 +1,6 @@
    +#!/bin/bash
    +# SPDX-License-Identifier: GPL-2.0
    +
    +PROTO=TCP
    +
    +source "$(dirname "$0")/test.sh"
    diff --git a/tools/testing/selftests/net/ovpn/test.sh b/tools/testing/selftests/net/ovpn/test.sh
    new file mode 100755
    index 0000000..2222222
    --- /dev/null
    +++ b/tools/testing/selftests/net/ovpn/test.sh
    @@ -0,0 +1,8 @@
    +#!/bin/bash
    +# SPDX-License-Identifier: GPL-2.0
    +
    +PROTO=${PROTO:-UDP}
    +
    +ip netns add peer0
    +ip -n peer0 link add ovpn0 type ovpn role p2p
    +ip netns del peer0
    ```

    ## Fix
    Add the script to `TEST_PROGS` (a helper that tests source but do not run themselves goes in
    `TEST_FILES`) of the Makefile beside it, in the same patch, and check that
    `make -C tools/testing/selftests TARGETS=net/ovpn run_tests` runs it.
    """
    for file in patch.files:
        path = file.path
        if not (file.is_new and path.startswith(SELFTESTS) and path.endswith(".sh")):
            continue
        directory, name = posixpath.split(path)
        makefile = _makefile_text(directory, ctx)
        if makefile is None or re.search(r"(?<![\w.-])" + re.escape(name) + r"(?![\w.-])", makefile):
            continue
        yield Hit(f"{path}: a new selftest script that {directory}/Makefile does not list (TEST_PROGS): "
                  "it will never run", patch=patch, file=path)
