"""A client for Patchwork's REST API (the server behind patchwork.kernel.org).

It knows nothing of the terminal: it returns the decoded JSON and raises `PatchworkError` (a
`NetworkError`) with a one-line message for every failure. One `requests.Session` carries all the
requests; each has a timeout; connection failures and 5xx answers are retried with exponential
back-off; lists are followed page by page through the `Link` header; the API version is the highest
of 1.3, 1.2, 1.1, 1.0 that the server offers.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from urllib.parse import urljoin, urlsplit

import requests
import urllib3

from .errors import NetworkError

API_VERSIONS = ("1.3", "1.2", "1.1", "1.0")  # newest first; 1.3 is Patchwork 3.1's
DEFAULT_URL = "https://patchwork.kernel.org"
DEFAULT_TIMEOUT = 30.0  # seconds, for connecting and for each read
DEFAULT_RETRIES = 3  # extra attempts after a connection failure or a 5xx answer
DEFAULT_BACKOFF = 1.0  # seconds before the first retry; doubled for each further one
MAX_PAGES = 200  # a list longer than this is a server that never says "last page"
MAX_BODY = 64 * 1024 * 1024  # bytes; Patchwork's largest answers (a big patch's diff) are far smaller

# the check states Patchwork knows, and the order in which it folds them into one per patch
CHECK_STATES = ("pending", "success", "warning", "fail")
_AGGREGATE_ORDER = ("fail", "warning", "pending")


class PatchworkError(NetworkError):
    """Patchwork could not be reached, or answered something we cannot use."""


class NotFound(PatchworkError):
    """The server has no such object (HTTP 404)."""

    def __init__(self, message: str, detail: str = ""):
        super().__init__(message)
        self.detail = detail


class AuthError(PatchworkError):
    """The server refused the request for want of a (valid) token (HTTP 401 or 403)."""


def normalize_url(url: str) -> str:
    """The server's root URL: scheme and host, with any trailing /api/... removed."""
    url = url.strip().rstrip("/")
    try:
        parts = urlsplit(url)
        parts.port  # a port out of range or not a number raises here, not at the first request
    except ValueError as error:
        raise PatchworkError(f"Patchwork URL {url!r} is not a URL: {error}")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise PatchworkError(f"Patchwork URL {url!r} is not an http:// or https:// URL")
    path = parts.path
    api_at = path.find("/api")
    if api_at >= 0 and (path[api_at:] == "/api" or path[api_at:].startswith("/api/")):
        path = path[:api_at]
    return f"{parts.scheme}://{parts.netloc}{path}"


def aggregate_check(states: Iterable[str]) -> str:
    """One state for a patch from the latest state of each check context, as Patchwork shows it:
    any fail wins, then warning, then pending; no check at all counts as pending."""
    states = list(states)
    if not states:
        return "pending"
    for state in _AGGREGATE_ORDER:
        if state in states:
            return state
    return "success"


def latest_checks(checks: list[dict]) -> list[dict]:
    """The newest check of each context, in the order the contexts first appeared.

    CI systems post `pending` first and the result later under the same context; Patchwork keeps
    both, and only the newest one counts.
    """
    newest: dict[str, dict] = {}
    for check in checks:
        context = check.get("context")
        old = newest.get(context)
        if old is None or (check.get("date") or "", check.get("id") or 0) >= (old.get("date") or "", old.get("id") or 0):
            newest[context] = check
    order: list[str] = []
    for check in checks:
        if check.get("context") not in order:
            order.append(check.get("context"))
    return [newest[context] for context in order]


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


class PatchworkClient:
    """Talks to one Patchwork server. The token, when given, is sent only on requests that change
    something, so a stale token in the environment never breaks reading."""

    def __init__(self, url: str = DEFAULT_URL, token: str | None = None, *, timeout: float = DEFAULT_TIMEOUT,
                 retries: int = DEFAULT_RETRIES, backoff: float | None = None, max_pages: int = MAX_PAGES,
                 version: str | None = None, session: requests.Session | None = None):
        self.url = normalize_url(url)
        self._token = token or None
        self.timeout = timeout
        self.retries = max(0, retries)
        self.backoff = DEFAULT_BACKOFF if backoff is None else backoff
        self.max_pages = max_pages
        self._version = version
        self.session = session or requests.Session()
        self.session.headers.update({"Accept": "application/json", "User-Agent": "patchflow"})

    def __repr__(self):  # never shows the token
        return f"PatchworkClient({self.url!r}, token={'set' if self._token else 'none'})"

    def close(self) -> None:
        self.session.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # --- the API version -----------------------------------------------------------------------

    @property
    def version(self) -> str:
        if self._version is None:
            self._version = self._negotiate()
        return self._version

    def _negotiate(self) -> str:
        try:
            index = self._request("GET", self.url + "/api/")
        except NotFound:
            raise PatchworkError(f"{self.url}/api/ answered 404: is --url the root of a Patchwork server?")
        if not isinstance(index, dict) or "patches" not in index or "series" not in index:
            raise PatchworkError(f"{self.url}/api/ is not a Patchwork API index (no 'patches' and 'series' in it): "
                                 "is --url a Patchwork server?")
        for version in API_VERSIONS:
            try:
                versioned = self._request("GET", f"{self.url}/api/{version}/")
            except NotFound:
                continue
            if isinstance(versioned, dict) and "patches" in versioned:
                return version
        raise PatchworkError(f"{self.url} offers none of the Patchwork API versions {', '.join(API_VERSIONS)}")

    def api(self, path: str) -> str:
        """The full URL of an API path such as `series/1/`."""
        return f"{self.url}/api/{self.version}/{path.lstrip('/')}"

    # --- requests --------------------------------------------------------------------------------

    def get(self, path: str, params: dict | None = None) -> object:
        return self._request("GET", self.api(path), params=params)

    def get_object(self, path: str, what: str) -> dict:
        try:
            data = self.get(path)
        except NotFound as exc:
            raise NotFound(f"Patchwork at {self.url} has no {what}: {exc.detail or 'HTTP 404'} "
                           f"(GET {_path(self.api(path))})") from None
        if not isinstance(data, dict) or "id" not in data:
            raise PatchworkError(f"{self.api(path)} answered {_kind(data)} where {what} (a JSON object with an id) "
                                 "was expected")
        return data

    def get_list(self, path: str, params: dict | None = None) -> list[dict]:
        """Every item of a list, following the `Link: <...>; rel="next"` header page by page."""
        url: str | None = self.api(path)
        items: list[dict] = []
        seen = set()
        pages = 0
        while url:
            if url in seen:
                raise PatchworkError(f"the pages of {self.api(path)} go round in a circle: {url} came twice")
            if pages >= self.max_pages:
                raise PatchworkError(f"the list {self.api(path)} does not end: more than {self.max_pages} pages")
            seen.add(url)
            response = self._send("GET", url, params=params if pages == 0 else None)
            data = self._decode(response)
            if not isinstance(data, list):
                raise PatchworkError(f"{response.url} answered {_kind(data)} where a JSON list was expected")
            items.extend(data)
            pages += 1
            following = response.links.get("next", {}).get("url")
            url = urljoin(response.url, following) if following else None
        return items

    def _request(self, method: str, url: str, *, params=None, json=None, auth: bool = False) -> object:
        return self._decode(self._send(method, url, params=params, json=json, auth=auth))

    def _send(self, method: str, url: str, *, params=None, json=None, auth: bool = False) -> requests.Response:
        headers = {}
        if auth and self._token:
            headers["Authorization"] = f"Token {self._token}"
        # a POST that may have reached the server is not repeated: it would post a check twice
        idempotent = method != "POST"
        attempt = 0
        while True:
            try:
                response = self.session.request(method, url, params=params, json=json, headers=headers,
                                                timeout=self.timeout, allow_redirects=True, stream=True)
                self._read_body(response)
            except _SlowBody:
                problem = f"the answer did not arrive within {self.timeout:g} s"
                retry = idempotent
            except requests.exceptions.ConnectTimeout:
                problem = f"no connection within {self.timeout:g} s"
                retry = True
            except requests.exceptions.ReadTimeout:
                problem = f"no answer within {self.timeout:g} s"
                retry = idempotent
            except requests.exceptions.SSLError as exc:
                raise PatchworkError(f"TLS failure talking to {self.url}: {_reason(exc)}")
            except requests.exceptions.ConnectionError as exc:
                problem = _reason(exc)
                retry = idempotent or _never_sent(exc)
            except requests.exceptions.RequestException as exc:
                raise PatchworkError(f"{method} {url} failed: {_reason(exc)}")
            else:
                if response.status_code < 500:
                    return self._check_status(method, url, response, auth)
                problem = f"HTTP {response.status_code} {response.reason or ''}".rstrip()
                retry = idempotent
            if not retry or attempt >= self.retries:
                tries = f" (after {attempt + 1} attempts)" if attempt else ""
                raise PatchworkError(f"Patchwork at {self.url}: {method} {_path(url)}: {problem}{tries}")
            time.sleep(self.backoff * (2 ** attempt))
            attempt += 1

    def _read_body(self, response: requests.Response) -> None:
        """Read the whole body within the timeout: requests' own timeout bounds each read of the
        socket, so a server dribbling a byte at a time would otherwise never end."""
        deadline = time.monotonic() + self.timeout
        raw = response.raw
        if hasattr(raw, "read1"):  # urllib3 2: whatever has arrived, so the deadline is checked often
            pieces = iter(lambda: raw.read1(64 * 1024, decode_content=True), b"")
        else:  # urllib3 1: small reads for the same reason
            pieces = response.iter_content(1024)
        chunks, size = [], 0
        try:
            for chunk in pieces:
                chunks.append(chunk)
                size += len(chunk)
                if size > MAX_BODY:
                    raise PatchworkError(f"{response.url} answered more than {MAX_BODY // (1024 * 1024)} MiB")
                if time.monotonic() > deadline:
                    raise _SlowBody()
        except urllib3.exceptions.ReadTimeoutError as exc:
            raise requests.exceptions.ReadTimeout(exc)
        except (urllib3.exceptions.ProtocolError, urllib3.exceptions.IncompleteRead) as exc:
            raise requests.exceptions.ConnectionError(exc)
        except urllib3.exceptions.DecodeError as exc:
            raise requests.exceptions.ContentDecodingError(exc)
        finally:
            response.close()
        response._content = b"".join(chunks)

    def _check_status(self, method: str, url: str, response: requests.Response, auth: bool) -> requests.Response:
        status = response.status_code
        if status < 400:
            return response
        detail = _detail(response)
        where = f"{method} {_path(url)}"
        if status == 404:
            raise NotFound(f"Patchwork at {self.url} has no {_path(url)} (404{': ' + detail if detail else ''})", detail)
        if status in (401, 403):
            if not (auth and self._token):
                raise AuthError(f"Patchwork at {self.url} refused {where} with {status} ({detail or 'forbidden'}): "
                                "no token was sent, and this needs a maintainer's API token")
            if status == 401 or "token" in detail.lower():
                raise AuthError(f"Patchwork at {self.url} refused {where} with {status} ({detail or 'unauthorized'}): "
                                "the token is not valid")
            raise AuthError(f"Patchwork at {self.url} refused {where} with {status} ({detail}): the token is valid "
                            "but its user may not do this (not a maintainer of the project?)")
        raise PatchworkError(f"Patchwork at {self.url} refused {where} with {status} "
                             f"{response.reason or ''}{': ' + detail if detail else ''}".replace("  ", " "))

    def _decode(self, response: requests.Response) -> object:
        kind = response.headers.get("Content-Type", "")
        try:
            return response.json()
        except (ValueError, RecursionError):  # RecursionError: arrays nested thousands deep
            sample = _short(response.text or "", 50)
            raise PatchworkError(f"{response.url} answered HTTP {response.status_code} with a body that is not JSON "
                                 f"({kind or 'no Content-Type'}: {sample!r})")

    # --- the objects patchflow reads and changes -------------------------------------------------

    def series(self, series_id: int) -> dict:
        return self.get_object(f"series/{series_id}/", f"series {series_id}")

    def patch(self, patch_id: int) -> dict:
        return self.get_object(f"patches/{patch_id}/", f"patch {patch_id}")

    def checks(self, patch_id: int) -> list[dict]:
        return self.get_list(f"patches/{patch_id}/checks/")

    def patches_by_msgid(self, msgid: str, project: str | None = None) -> list[dict]:
        return self._by_msgid("patches", msgid, project)

    def covers_by_msgid(self, msgid: str, project: str | None = None) -> list[dict]:
        return self._by_msgid("covers", msgid, project)

    def _by_msgid(self, kind: str, msgid: str, project: str | None) -> list[dict]:
        if self.version == "1.0":
            raise PatchworkError(f"{self.url} speaks only API 1.0, which cannot look up a Message-Id (1.1 can)")
        params = {"msgid": bare_msgid(msgid)}
        if project:
            params = {"project": project, **params}
        return self.get_list(f"{kind}/", params)

    def set_state(self, patch_id: int, state: str) -> dict:
        return self._write("PATCH", f"patches/{patch_id}/", {"state": state})

    def post_check(self, patch_id: int, context: str, state: str, description: str = "",
                   target_url: str | None = None) -> dict:
        body = {"context": context, "state": state, "description": description or ""}
        if target_url:
            body["target_url"] = target_url
        return self._write("POST", f"patches/{patch_id}/checks/", body)

    def download(self, url: str) -> bytes:
        """The raw body of a page of the server that is not JSON (a series' or a patch's mbox),
        redirects followed; the same retries, time limits and one-line errors as the API."""
        if url.startswith("/"):
            url = self.url + url
        return self._send("GET", url).content

    def series_page(self, project: str, per_page: int = 100) -> list[dict]:
        """The newest series of a project, newest first: one page, which is all a poller needs
        when it polls more often than `per_page` series arrive."""
        data = self.get("series/", {"project": project, "order": "-id", "per_page": str(per_page)})
        if not isinstance(data, list):
            raise PatchworkError(f"{self.api('series/')} answered {_kind(data)} where a JSON list was expected")
        return data

    def _write(self, method: str, path: str, body: dict) -> dict:
        url = self.api(path)
        data = self._request(method, url, json=body, auth=True)
        if not isinstance(data, dict):
            raise PatchworkError(f"{method} {url} answered {_kind(data)} where a JSON object was expected")
        return data


class _SlowBody(Exception):
    """The body of an answer took longer than the timeout to arrive."""


def bare_msgid(msgid: str) -> str:
    """A Message-Id without spaces and without its angle brackets, as Patchwork's filter wants it."""
    msgid = msgid.strip()
    if msgid.startswith("<") and msgid.endswith(">"):
        msgid = msgid[1:-1].strip()
    return msgid


def _kind(data: object) -> str:
    if isinstance(data, list):
        return "a JSON list"
    if isinstance(data, dict):
        return "a JSON object without the expected fields"
    return f"JSON {type(data).__name__}"


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _detail(response: requests.Response) -> str:
    """The reason a Patchwork error body gives: {"detail": ...} or {"field": ["message"]}."""
    try:
        data = response.json()
    except ValueError:
        return ""
    if isinstance(data, dict):
        if isinstance(data.get("detail"), str):
            return data["detail"]
        parts = []
        for key, value in data.items():
            if isinstance(value, list):
                value = " ".join(str(v) for v in value)
            parts.append(f"{key}: {value}")
        return "; ".join(parts)
    return ""


def _reason(exc: Exception) -> str:
    """The innermost cause of a requests exception, in a few words."""
    text = str(exc)
    for marker in ("Connection refused", "Name or service not known", "Temporary failure in name resolution",
                   "No route to host", "Network is unreachable", "Connection reset by peer",
                   "Remote end closed connection without response"):
        if marker in text:
            return marker.lower()
    return _short(text, 120)


def _never_sent(exc: Exception) -> bool:
    text = str(exc)
    return any(marker in text for marker in ("Connection refused", "Name or service not known",
                                             "Temporary failure in name resolution", "No route to host",
                                             "Network is unreachable"))
