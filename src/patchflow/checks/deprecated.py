"""Interfaces new code should not use: checkpatch's list (the old RCU flavours, kmap()), and what
netdev asks: module parameters, and reference counting of devices and namespaces without a tracker.

The list is the netdev CI's (NIPA's `deprecated_api` patch test); the rules are netdev's own:
module parameters are refused in networking drivers (configuration goes through netlink, devlink
or ethtool), and `netdev_hold()`/`netdev_put()`, `get_net_track()`/`put_net_track()` record who holds
a reference so leaks can be found (CONFIG_NET_DEV_REFCNT_TRACKER, CONFIG_NET_NS_REFCNT_TRACKER).
"""

from __future__ import annotations

from ..lazy_regex import lazy
from . import ERROR, WARNING, Hit, check
from ._ccode import is_c
from ._lines import added_lines, lines_with
from ._needles import Needle
from .inline import new_uses
from .maintained import file_under_house_rules

# name: (what to use instead, level)
DEPRECATED = {
    "module_param": ("devlink parameters, ethtool or netlink attributes", ERROR),
    "module_param_named": ("devlink parameters, ethtool or netlink attributes", ERROR),
    "dev_hold": ("netdev_hold() with a netdevice_tracker", WARNING),
    "dev_put": ("netdev_put() with the netdevice_tracker of its netdev_hold()", WARNING),
    "get_net": ("get_net_track() with a netns_tracker", WARNING),
    "put_net": ("put_net_track() with the netns_tracker of its get_net_track()", WARNING),
    "init_dummy_netdev": ("alloc_netdev_dummy()", WARNING),
}
_CALL_SOURCE = r"(?<![\w.>])(" + "|".join(sorted(DEPRECATED, key=len, reverse=True)) + r")\s*\("
_CALL = lazy(_CALL_SOURCE)
_CALL_NEEDLE = Needle(_CALL_SOURCE)
# checkpatch's own list (its %deprecated_apis), reported on any added line of C code, as it does
CHECKPATCH_DEPRECATED = {
    "synchronize_rcu_bh": "synchronize_rcu", "synchronize_rcu_bh_expedited": "synchronize_rcu_expedited",
    "call_rcu_bh": "call_rcu", "rcu_barrier_bh": "rcu_barrier", "synchronize_sched": "synchronize_rcu",
    "synchronize_sched_expedited": "synchronize_rcu_expedited", "call_rcu_sched": "call_rcu",
    "rcu_barrier_sched": "rcu_barrier", "get_state_synchronize_sched": "get_state_synchronize_rcu",
    "cond_synchronize_sched": "cond_synchronize_rcu", "kmap": "kmap_local_page", "kunmap": "kunmap_local",
    "kmap_atomic": "kmap_local_page", "kunmap_atomic": "kunmap_local",
}
_CHECKPATCH_NAMES = r"\b(" + "|".join(sorted(CHECKPATCH_DEPRECATED, key=len, reverse=True)) + r")\b\s*\("
_CHECKPATCH_CALL = lazy(_CHECKPATCH_NAMES)
# the same calls (and a few more, get_state_synchronize_rcu_bh(): _CHECKPATCH_CALL reads each line
# found), written as eight alternatives that hold a rare string each: the needle's scan looks for
# these eight strings in a file's text, not for the fourteen names one by one (a search of the whole
# text each). No two alternatives may start alike: the parser would factor `synchronize_` or `k` out
# of them, and the scan would look for `synchronize_` (each synchronize_rcu()) or `map`.
_CHECKPATCH_NEEDLE_SOURCE = (r"\b(?:synchronize_rcu_bh(?:_expedited)?|(?:get_state_|cond_)?synchronize_sched(?:_expedited)?|"
                             r"call_rcu_bh|rcu_barrier_bh|call_rcu_sched|rcu_barrier_sched|kmap(?:_atomic)?|"
                             r"kunmap(?:_atomic)?)\b\s*\(")
_CHECKPATCH_NEEDLE = Needle(_CHECKPATCH_NEEDLE_SOURCE)


def _uses(text: str) -> list:
    return _CALL.findall(text)


@check("DEPRECATED_API", level=WARNING)
def deprecated_api(patch, ctx):
    """New code calls an interface checkpatch or netdev asks not to use any more.

    ## What it does
    In every C file, as checkpatch does, reports a call in code on an added line of an old name of
    checkpatch's list (`kmap_atomic()` and `kmap()`, `call_rcu_sched()`, `synchronize_sched()`, ...)
    with the one to use instead ("Deprecated use of 'kmap_atomic', prefer 'kmap_local_page'
    instead"). In C files netdev or bpf look after (their most specific MAINTAINERS entry lists netdev@ or
    bpf@; without MAINTAINERS, the subject names net, net-next, bpf or bpf-next; not tools/), counts the calls of
    `module_param()` / `module_param_named()` (an ERROR), `dev_hold()`, `dev_put()`, `get_net()`,
    `put_net()` and `init_dummy_netdev()` (WARNINGs) on added lines, in code (not comments or
    strings). A call is reported only when a file gains more calls of a name than the patch removes
    from it, so code that is moved or reworded is left alone, as the netdev CI does.

    ## Why is this bad?
    netdev does not take new module parameters: a setting of a network device belongs in netlink,
    devlink or ethtool, where it can be changed per device at run time. Device and namespace
    references taken without a tracker cannot be traced when one leaks; `netdev_hold()` and
    `get_net_track()` record the holder. The netdev CI (NIPA's `deprecated_api` test) fails a patch
    that adds module_param() and warns on the others; maintainers ask for a respin.

    ## Example
    The offloaded map of kernel/bpf/offload.c (BPF [GENERAL], bpf@) takes a reference on its device:

    ```bad path=kernel/bpf/offload.c tree
    @@ -547,5 +547,6 @@
     	list_add_tail(&offmap->offloads, &ondev->maps);
    +	dev_hold(offmap->netdev);
     	up_write(&bpf_devs_lock);
     	rtnl_unlock();

     	return &offmap->map;
    ```

    ```good path=kernel/bpf/offload.c tree
    @@ -547,5 +547,6 @@
     	list_add_tail(&offmap->offloads, &ondev->maps);
    +	netdev_hold(offmap->netdev, &offmap->netdev_tracker, GFP_KERNEL);
     	up_write(&bpf_devs_lock);
     	rtnl_unlock();

     	return &offmap->map;
    ```

    A module parameter in a networking driver (NETWORKING DRIVERS, netdev@) is an ERROR; the ring
    size belongs in the driver's ethtool `set_ringparam`:

    ```bad tree
    Subject: [PATCH net-next] veth: Make the ring size a module parameter

    Let the user choose the number of entries of each queue's ring when
    the module is loaded, instead of the fixed 256.

    Signed-off-by: Jane Doe <jane@example.org>
    ---
    diff --git a/drivers/net/veth.c b/drivers/net/veth.c
    index 1111111..2222222 100644
    --- a/drivers/net/veth.c
    +++ b/drivers/net/veth.c
    @@ -36,6 +36,10 @@
     #define VETH_RING_SIZE		256
     #define VETH_XDP_HEADROOM	(XDP_PACKET_HEADROOM + NET_IP_ALIGN)

    +static unsigned int ring_size = VETH_RING_SIZE;
    +module_param(ring_size, uint, 0444);
    +MODULE_PARM_DESC(ring_size, "Number of entries of each queue's ring");
    +
     #define VETH_XDP_TX_BULK_SIZE	16
     #define VETH_XDP_BATCH		16

    ```

    ## Fix
    Take device references with `netdev_hold()`/`netdev_put()` and a `netdevice_tracker` kept beside
    the pointer, namespace references with `get_net_track()`/`put_net_track()` and a `netns_tracker`;
    allocate a dummy device with `alloc_netdev_dummy()`. Replace a module parameter with a devlink
    parameter, an ethtool setting or a netlink attribute, which work per device and at run time.
    """
    yield from _checkpatch_list(patch, ctx)
    for file in patch.files:
        if file.is_binary or not file.path.endswith((".c", ".h")) or not file_under_house_rules(patch, file, ctx):
            continue
        masked = ctx.sources.masked_lines(file)
        for line in new_uses(file, masked, _uses, lines_with(_CALL_NEEDLE, file, ctx)):
            for name in dict.fromkeys(_uses(masked.get(line.patch_line, line.text))):
                instead, level = DEPRECATED[name]
                yield Hit.at(line, file, f"{name}() is deprecated in networking code: use {instead}", patch=patch,
                             level=level)


def _checkpatch_list(patch, ctx):
    """checkpatch's DEPRECATED_API: the first old name of its list called on an added line of a C
    file, in code (its masked view: not in comments or strings), in any file."""
    for file in patch.files:
        if file.is_binary or not is_c(file.path):
            continue
        added = added_lines(file, ctx)
        for index in _CHECKPATCH_NEEDLE.indexes(added):  # the lines whose text calls one (their code may not)
            line = added.lines[index]
            found = _CHECKPATCH_CALL.search(ctx.sources.masked_lines(file).get(line.patch_line, line.text))
            if found:
                name = found.group(1)
                yield Hit.at(line, file, f"Deprecated use of '{name}', prefer '{CHECKPATCH_DEPRECATED[name]}' instead")
