"""Where a maintainer's series comes from: a Patchwork series, patch or Message-Id, or a lore
thread (a URL or a saved `.mbox` / `.mbox.gz`).

Every source ends in `mails_from_bytes`, the one call into the mail reader, so Patchwork's mboxes
and lore's threads are read exactly as a patch file is. A Patchwork series is the cover letter's
mbox followed by the series' mbox (Patchwork 3.2 leaves the cover letter out of `/series/N/mbox/`);
each patch is tied to its Patchwork id through its Message-Id, so results can be posted back.
"""

from __future__ import annotations

from .errors import BadInput, PatchflowError
from .patch import Patch, Series, parse_bytes
from .records import field, record

LORE_LIMIT = 64 * 1024 * 1024  # bytes of a downloaded thread, gunzipped


def mails_from_bytes(data: bytes, source: str) -> list[Patch]:
    """The mails of a single mail, an mbox or a gzipped mbox, through the one mail reader."""
    return parse_bytes(data, source)


@record
class FetchedSeries:
    """A series as fetched: its mails in order, and the Patchwork id of each patch (by Message-Id)."""

    series: Series
    series_id: int | None = None
    patch_ids: dict[int, int] = field(default_factory=dict)  # id(Patch) -> Patchwork patch id
    name: str = ""

    def patch_id(self, patch: Patch) -> int | None:
        return self.patch_ids.get(id(patch))


# --- Patchwork --------------------------------------------------------------------------------


def fetch_series(client, series_id: int) -> FetchedSeries:
    """Series N: the cover letter's mbox (when there is one) and `/series/N/mbox/`."""
    series = client.series(series_id)
    if not series.get("received_all", True):
        received, total = series.get("received_total"), series.get("total")
        raise PatchflowError(f"series {series_id}: Patchwork has received {received} of its {total} patches; "
                             "check it once all have arrived")
    chunks = []
    cover = series.get("cover_letter")
    if isinstance(cover, dict) and cover.get("mbox"):
        chunks.append(_mbox_text(client.download(cover["mbox"])))
    mbox_url = series.get("mbox") or f"/series/{series_id}/mbox/"
    chunks.append(_mbox_text(client.download(mbox_url)))
    source = f"series-{series_id}.mbox"
    mails = mails_from_bytes("".join(chunks).encode("utf-8", "surrogateescape"), source)
    ids = {_bare(item.get("msgid")): item.get("id") for item in series.get("patches") or [] if isinstance(item, dict)}
    fetched = FetchedSeries(Series(_patches_only(mails, source)), series_id, name=str(series.get("name") or ""))
    for patch in fetched.series:
        patch_id = ids.get(_bare(patch.message_id))
        if patch_id is not None and not patch.is_cover_letter:
            fetched.patch_ids[id(patch)] = patch_id
    return fetched


def fetch_patch(client, patch_id: int) -> FetchedSeries:
    """Patch N alone, from `/patch/N/mbox/` (the server redirects to the patch's own page)."""
    patch = client.patch(patch_id)
    series = [item["id"] for item in patch.get("series") or [] if isinstance(item, dict) and "id" in item]
    source = f"patch-{patch_id}.mbox"
    mails = _patches_only(mails_from_bytes(client.download(f"/patch/{patch_id}/mbox/"), source), source)
    fetched = FetchedSeries(Series(mails), series[-1] if series else None, name=source)
    for patch in mails:
        fetched.patch_ids[id(patch)] = patch_id
    return fetched


def fetch_msgid(client, msgid: str, project: str | None) -> FetchedSeries:
    """The series a Message-Id belongs to: a patch's series, or the series a cover letter opens."""
    for patch in client.patches_by_msgid(msgid, project):
        series = [item["id"] for item in patch.get("series") or [] if isinstance(item, dict) and "id" in item]
        return fetch_series(client, series[-1]) if series else fetch_patch(client, patch["id"])
    for cover in client.covers_by_msgid(msgid, project):
        series = [item["id"] for item in cover.get("series") or [] if isinstance(item, dict) and "id" in item]
        if series:
            return fetch_series(client, series[-1])
    where = f"project {project}" if project else "any project"
    raise PatchflowError(f"Patchwork at {client.url} has no patch or cover letter with Message-Id "
                         f"<{_bare(msgid)}> in {where}")


def _mbox_text(data: bytes) -> str:
    text = data.decode("utf-8", "surrogateescape")
    return text if text.endswith("\n") else text + "\n"


def _bare(msgid) -> str:
    from .patchwork import bare_msgid

    return bare_msgid(msgid) if isinstance(msgid, str) else ""


# --- lore threads -----------------------------------------------------------------------------


def is_url(argument: str) -> bool:
    return argument.startswith(("https://", "http://"))


def needs_reading_here(argument: str) -> bool:
    """A URL or a gzipped mbox: what the plain file reader does not open itself."""
    return is_url(argument) or argument.endswith(".gz")


def read_thread(argument: str, timeout: float = 30.0) -> list[Patch]:
    """A lore thread (`https://lore.kernel.org/all/MSGID/t.mbox.gz`, or the file saved from it):
    the patches and cover letter of its newest version, replies left out."""
    if is_url(argument):
        data = _download(argument, timeout)
    else:
        from .patch import read_source

        data = read_source(argument)
    return _patches_only(mails_from_bytes(data, argument), argument)


def _download(url: str, timeout: float) -> bytes:
    import requests

    try:
        response = requests.get(url, timeout=timeout, headers={"User-Agent": "patchflow"})
    except requests.exceptions.RequestException as exc:
        raise BadInput(f"{url}: cannot download: {type(exc).__name__}")
    if response.status_code != 200:
        raise BadInput(f"{url}: the server answered HTTP {response.status_code}, not an mbox")
    if len(response.content) > LORE_LIMIT:
        raise BadInput(f"{url}: more than {LORE_LIMIT >> 20} MiB")
    return response.content


def _patches_only(mails: list[Patch], source: str) -> list[Patch]:
    """The mails of the newest version of the series: its patches and its cover letter. Replies
    (`Re:`) and mails of earlier versions in the same thread are left out, as b4 does."""
    wanted = [mail for mail in mails if (mail.files or mail.is_cover_letter)
              and not (mail.subject or "").lower().startswith("re:")]
    if not wanted:
        raise BadInput(f"{source}: no patch in it (only replies or mails without a diff)")
    newest = max(_version(mail) for mail in wanted)
    return [mail for mail in wanted if _version(mail) == newest]


def _version(mail: Patch) -> int:
    return (mail.prefix.version if mail.prefix is not None and mail.prefix.version else 1)
