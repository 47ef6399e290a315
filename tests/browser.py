"""Headless-browser harness for the maps that folium writes.

There is no internet here (nor in CI) except the package registries, and folium
pages load Leaflet, jQuery, Bootstrap, Font Awesome and plugin scripts from CDNs
and tiles from tile servers.  This module opens such a page in the system
Chromium (``/usr/bin/chromium``, driven by playwright's sync API; never
``playwright install``) and:

* serves the page's folder over HTTP on 127.0.0.1 (``page.route`` does not see
  the requests of a ``file://`` page);
* answers every CDN request from npm packages installed by
  ``.ci/install-browser-assets`` into :data:`ASSETS_DIR` (see
  :func:`local_asset_for`); a CDN URL that has no local copy is aborted and
  listed in :attr:`PageResult.missing_assets`, which tests treat as a failure;
* aborts every other outside request (tiles, unknown fonts, ...) and lists it in
  :attr:`PageResult.aborted` (expected: the map background stays grey).

Typical use in a test module::

    from tests.browser import browse, require_browser

    @pytest.fixture(scope="module")
    def session():
        require_browser()          # skip, or fail when CORRIDORS_REQUIRE_BROWSER=1
        with browse() as s:        # one Chromium for the whole module
            yield s

    def test_map(session, tmp_path):
        m.save(tmp_path / "map.html")
        res = session.open("map.html", root=tmp_path, screenshot=tmp_path / "map.png",
                           actions=lambda page: page.locator(MAIN_MAP_PATHS).count())
        res.assert_clean()         # no page errors, no missing CDN assets, no console errors
        assert res.evaluate == 5

``MAIN_MAP_PATHS`` counts the vector paths of the main map only: a MiniMap draws
its own ``path.leaflet-interactive`` rectangles.

or, for a single page, ``open_page(root, "map.html", screenshot=path)``.

Environment:
    CORRIDORS_TEST_ASSETS      where the npm assets live
                               (default ``~/.cache/corridor-mapper/test-assets``)
    CORRIDORS_CHROMIUM         browser binary (default ``/usr/bin/chromium``)
    CORRIDORS_REQUIRE_BROWSER  ``1``: a missing browser/assets fails instead of skipping
"""

from __future__ import annotations

import functools
import http.server
import json
import mimetypes
import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:  # playwright is imported lazily so this module imports without it
    from playwright.sync_api import Browser, Page, Playwright, Request, Route

__all__ = [
    "ARTIFACTS",
    "ASSETS_DIR",
    "CDN_HOSTS",
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "MAIN_MAP_PATHS",
    "REQUIRE_ENV",
    "BrowserSession",
    "PageResult",
    "assets_available",
    "browse",
    "browser_available",
    "is_cdn_url",
    "local_asset_for",
    "map_session",
    "mirror_assets",
    "open_page",
    "require_assets",
    "require_browser",
    "stub_tile_png",
]

REPO_ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO_ROOT / "tests" / "artifacts"
"""Where the map tests save their screenshots."""
INSTALL_SCRIPT = REPO_ROOT / ".ci" / "install-browser-assets"

ASSETS_DIR = Path(os.environ.get("CORRIDORS_TEST_ASSETS") or Path.home() / ".cache" / "corridor-mapper" / "test-assets")
NODE_MODULES = ASSETS_DIR / "node_modules"
EXTRA_DIR = ASSETS_DIR / "extra"  # files no npm package ships (written by the install script)

CHROMIUM = Path(os.environ.get("CORRIDORS_CHROMIUM") or "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
REQUIRE_ENV = "CORRIDORS_REQUIRE_BROWSER"

#: CSS selector of the vector layers (polylines, circle markers, ...) of a folium page's
#: main map, leaving out those of a MiniMap control.
MAIN_MAP_PATHS = ".folium-map > .leaflet-map-pane path.leaflet-interactive"

#: Hosts whose requests must be answered locally: an unmapped URL on one of these
#: is a *missing asset* (the page would break offline), not just a blocked request.
CDN_HOSTS = frozenset(
    {
        "cdn.jsdelivr.net",
        "fastly.jsdelivr.net",
        "cdnjs.cloudflare.com",
        "code.jquery.com",
        "netdna.bootstrapcdn.com",
        "maxcdn.bootstrapcdn.com",
        "stackpath.bootstrapcdn.com",
        "unpkg.com",
        "rawcdn.githack.com",
        "raw.githack.com",
        "d3js.org",
        "ajax.googleapis.com",
        "leaflet.github.io",
        "teastman.github.io",
    }
)

# ---------------------------------------------------------------------------
# CDN URL -> local file
# ---------------------------------------------------------------------------

# Exact URLs (host + path, no scheme, no query) -> file under node_modules.
_EXACT: dict[str, str] = {
    # bootstrap 3.0.0 is not on npm; Bootstrap 3.3.7's glyphicons-only stylesheet
    # (same classes, same font family) stands in for bootstrap-glyphicons.css.
    **{
        f"{host}/bootstrap/3.0.0/css/bootstrap-glyphicons.css": (
            "@neos21/bootstrap3-glyphicons/dist/css/bootstrap3-glyphicons.css"
        )
        for host in ("netdna.bootstrapcdn.com", "maxcdn.bootstrapcdn.com", "stackpath.bootstrapcdn.com")
    },
    # d3js.org serves the newest 3.x; the 3.5.5 that branca pins is close enough.
    "d3js.org/d3.v3.min.js": "d3/d3.min.js",
    "d3js.org/d3.v3.js": "d3/d3.js",
}

# URL prefixes (host + path, no scheme) -> folders under node_modules, searched in
# order for the rest of the path.  Versions are part of the prefix, so a folium
# upgrade that bumps a version shows up as a missing asset until this table and
# tests/assets/package.json follow.
_PREFIXES: tuple[tuple[str, tuple[str, ...]], ...] = (
    # Map defaults
    (
        "cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/",
        ("drmonty-leaflet-awesome-markers/js", "drmonty-leaflet-awesome-markers/css"),
    ),
    ("cdnjs.cloudflare.com/ajax/libs/jquery/3.7.1/", ("jquery/dist",)),
    *(
        (f"{host}/bootstrap/3.0.0/fonts/", ("@neos21/bootstrap3-glyphicons/dist/fonts",))
        for host in ("netdna.bootstrapcdn.com", "maxcdn.bootstrapcdn.com", "stackpath.bootstrapcdn.com")
    ),
    # branca colormaps, Vega/TopoJson features
    ("cdnjs.cloudflare.com/ajax/libs/d3/3.5.5/", ("d3",)),
    # plugins
    ("cdnjs.cloudflare.com/ajax/libs/leaflet-minimap/3.6.1/", ("leaflet-minimap/src",)),
    ("cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/", ("leaflet.markercluster/dist",)),
    ("cdnjs.cloudflare.com/ajax/libs/leaflet.draw/1.0.2/", ("leaflet-draw/dist",)),
    ("cdnjs.cloudflare.com/ajax/libs/leaflet-locatecontrol/0.66.2/", ("leaflet.locatecontrol/dist",)),
    ("cdnjs.cloudflare.com/ajax/libs/leaflet-groupedlayercontrol/0.6.1/", ("leaflet-groupedlayercontrol/dist",)),
    ("cdnjs.cloudflare.com/ajax/libs/moment.js/2.18.1/", ("moment/min", "moment")),
    ("cdn.jsdelivr.net/gh/ljagis/leaflet-measure@2.1.7/", ("leaflet-measure",)),
    ("cdn.jsdelivr.net/gh/ardhi/Leaflet.MousePosition/", ("leaflet-mouse-position",)),
)

# jsDelivr / unpkg npm URLs: /npm/<pkg>[@<version>]/<path>, unpkg.com/<pkg>[@<version>]/<path>
_NPM_URL = re.compile(
    r"^(?:(?:cdn|fastly)\.jsdelivr\.net/npm/|unpkg\.com/)"
    r"(?P<pkg>(?:@[^/@]+/)?[^/@]+)(?:@(?P<ver>[^/]+))?/(?P<path>.+)$"
)
# code.jquery.com/jquery-3.7.1.min.js
_JQUERY_URL = re.compile(r"^code\.jquery\.com/jquery-(?P<ver>\d+\.\d+\.\d+)(?P<min>\.min)?\.js$")
# folium's own templates, loaded from its GitHub repo through jsDelivr
_FOLIUM_TEMPLATE_URL = re.compile(
    r"^cdn\.jsdelivr\.net/gh/python-visualization/folium(?:@[^/]+)?/folium/templates/(?P<name>[^/]+)$"
)


def _alternatives(rel: str) -> list[str]:
    """``rel`` plus the file jsDelivr would minify on the fly (``x.min.js`` from ``x.js``)."""
    out = [rel]
    for ext in (".js", ".css"):
        if rel.endswith(".min" + ext):
            out.append(rel[: -len(".min" + ext)] + ext)
        elif rel.endswith(ext):
            out.append(rel[: -len(ext)] + ".min" + ext)
    return out


def _find_in(base: Path, rel: str) -> Path | None:
    """First existing file among :func:`_alternatives` of ``rel`` inside ``base`` (no escaping it)."""
    if not rel or rel.endswith("/"):
        return None
    base = base.resolve()
    for candidate in _alternatives(rel):
        path = (base / candidate).resolve()
        if path.is_file() and path.is_relative_to(base):
            return path
    return None


@functools.cache
def _installed_version(pkg: str) -> str | None:
    try:
        return json.loads((NODE_MODULES / pkg / "package.json").read_text("utf-8")).get("version")
    except (OSError, ValueError):
        return None


def _version_matches(installed: str | None, wanted: str | None) -> bool:
    """``wanted`` is what the URL names: nothing/``latest`` (anything), ``2`` or ``2.4`` (prefix), or exact."""
    if installed is None:
        return False
    if not wanted or wanted == "latest":
        return True
    return installed == wanted or installed.startswith(wanted + ".")


@functools.cache
def _folium_templates() -> Path | None:
    spec = find_spec("folium")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "templates"


def _url_key(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https", "") or not parts.hostname:
        return None
    return f"{parts.hostname.lower()}{parts.path}"


def is_cdn_url(url: str) -> bool:
    """True when ``url`` is on one of :data:`CDN_HOSTS` (so it must be served locally)."""
    host = urlsplit(url).hostname
    return host is not None and host.lower() in CDN_HOSTS


def local_asset_for(url: str) -> Path | None:
    """The file under :data:`ASSETS_DIR` (or folium's own templates) that stands in for ``url``.

    Rules, in order (query strings and fragments are ignored):

    1. an explicit URL table (bootstrap 3 glyphicons, d3js.org);
    2. ``cdn.jsdelivr.net/npm/<pkg>@<ver>/<path>`` and ``unpkg.com/<pkg>@<ver>/<path>``:
       ``node_modules/<pkg>/<path>`` if the installed version matches ``<ver>``
       (exact, or a prefix like ``@2``; none/``latest`` accepts any);
    3. ``code.jquery.com/jquery-<ver>[.min].js``: ``jquery/dist/``;
    4. folium's ``templates/`` files fetched from GitHub: the installed folium package,
       then :data:`EXTRA_DIR`;
    5. a table of versioned URL prefixes (cdnjs, jsDelivr ``/gh/``, bootstrapcdn) -> folders.

    Where the URL names ``x.min.js``/``x.min.css`` and the package only ships ``x.js``
    (jsDelivr minifies on the fly), the unminified file is used, and vice versa.
    Returns None when nothing matches or the file does not exist.
    """
    key = _url_key(url)
    if key is None:
        return None

    exact = _EXACT.get(key)
    if exact is not None:
        path = NODE_MODULES / exact
        return path if path.is_file() else None

    if m := _NPM_URL.match(key):
        if not _version_matches(_installed_version(m["pkg"]), m["ver"]):
            return None
        return _find_in(NODE_MODULES / m["pkg"], m["path"])

    if m := _JQUERY_URL.match(key):
        if not _version_matches(_installed_version("jquery"), m["ver"]):
            return None
        return _find_in(NODE_MODULES / "jquery" / "dist", "jquery" + (m["min"] or "") + ".js")

    if m := _FOLIUM_TEMPLATE_URL.match(key):
        for base in (_folium_templates(), EXTRA_DIR):
            if base is not None and (found := _find_in(base, m["name"])):
                return found
        return None

    for prefix, folders in _PREFIXES:
        if key.startswith(prefix):
            rest = key[len(prefix) :]
            for folder in folders:
                if found := _find_in(NODE_MODULES / folder, rest):
                    return found
            return None
    return None


def stub_tile_png(size: int = 256, fill: tuple[int, int, int] = (228, 228, 224)) -> bytes:
    """A plain PNG tile (light grey, a faint line on its top and left edges) to stand in for basemap tiles."""
    import struct
    import zlib

    edge = tuple(max(c - 14, 0) for c in fill)
    rows = []
    for y in range(size):
        row = bytes(edge) * size if y == 0 else bytes(edge) + bytes(fill) * (size - 1)
        rows.append(b"\x00" + row)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + chunk(b"IEND", b"")
    )


_CSS_URL_REF = re.compile(r"""url\(\s*['"]?([^'")]+?)['"]?\s*\)""")


def mirror_assets(urls: list[str], dest: Path) -> list[str]:
    """Copy the local stand-ins of ``urls`` to ``dest/<host>/<path>`` (the layout of ``corridors build --assets``).

    Files a stylesheet refers to (``url(...)``: images, fonts) are copied too when a
    local copy exists. Returns the URLs that have no local copy.
    """
    import shutil
    from urllib.parse import urljoin

    missing = []
    todo, done = list(urls), set()
    while todo:
        url = todo.pop(0)
        key = _url_key(url)
        if key is None or key in done:
            continue
        done.add(key)
        src = local_asset_for(url)
        if src is None:
            missing.append(url)
            continue
        target = Path(dest, *[p for p in key.split("/") if p not in ("", ".", "..")])
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, target)
        if src.suffix == ".css":
            for ref in _CSS_URL_REF.findall(src.read_text("utf-8", errors="replace")):
                if not ref.startswith(("data:", "#")):
                    todo.append(urljoin(url, ref.strip()))
    return missing


_CONTENT_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".html": "text/html; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".gif": "image/gif",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".eot": "application/vnd.ms-fontobject",
}


def _content_type(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in _CONTENT_TYPES:
        return _CONTENT_TYPES[suffix]
    return mimetypes.guess_type(path.name)[0] or "application/octet-stream"


# ---------------------------------------------------------------------------
# availability: skip or fail
# ---------------------------------------------------------------------------


def assets_available() -> str | None:
    """Why the local CDN assets cannot be used, or None when they can."""
    if not (NODE_MODULES / "leaflet" / "dist" / "leaflet.js").is_file():
        return f"browser test assets not installed in {ASSETS_DIR} (run {INSTALL_SCRIPT})"
    return None


def browser_available() -> str | None:
    """Why browser tests cannot run here (no playwright, no Chromium, no assets), or None."""
    if find_spec("playwright") is None:
        return "python package playwright is not installed"
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        return f"no Chromium at {CHROMIUM} (apt-get install -y chromium)"
    return assets_available()


def _require(reason: str | None) -> None:
    if reason is None:
        return
    import pytest

    if os.environ.get(REQUIRE_ENV, "").strip().lower() in ("1", "true", "yes"):
        pytest.fail(f"{reason} [{REQUIRE_ENV} is set]", pytrace=False)
    pytest.skip(reason)


def require_browser() -> None:
    """In a test or fixture: skip when :func:`browser_available` gives a reason,
    or fail instead when ``CORRIDORS_REQUIRE_BROWSER=1`` (as CI sets it)."""
    _require(browser_available())


def require_assets() -> None:
    """Like :func:`require_browser`, for tests that only need the npm assets."""
    _require(assets_available())


# ---------------------------------------------------------------------------
# local HTTP server
# ---------------------------------------------------------------------------


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()


class _QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # the browser dropping a connection is not our business


class _Server:
    """``root`` served on 127.0.0.1:<ephemeral port> from a background thread."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()
        if not self.root.is_dir():
            raise NotADirectoryError(self.root)
        handler = functools.partial(_QuietHandler, directory=str(self.root))
        self._httpd = _QuietServer(("127.0.0.1", 0), handler)
        host, port = self._httpd.server_address[:2]
        self.netloc = f"{host}:{port}"
        self.base_url = f"http://{self.netloc}/"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.1},
            name=f"browser-http-{port}",
            daemon=True,
        )
        self._thread.start()

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)


# ---------------------------------------------------------------------------
# browsing
# ---------------------------------------------------------------------------


@dataclass
class PageResult:
    """What happened while a page was open."""

    url: str
    #: uncaught exceptions in the page (``pageerror``), as "Name: message"
    page_errors: list[str] = field(default_factory=list)
    #: ``console.error`` messages, minus the "Failed to load resource" noise of blocked requests
    console_errors: list[str] = field(default_factory=list)
    #: CDN URLs that have no local copy: the page would be broken offline -> fail the test
    missing_assets: list[str] = field(default_factory=list)
    #: other outside URLs that were blocked (tiles, ...): expected
    aborted: list[str] = field(default_factory=list)
    #: CDN URLs answered from :data:`ASSETS_DIR`
    served_assets: list[str] = field(default_factory=list)
    #: outside image requests answered with the stub tile (``open(..., tiles=...)``)
    stub_tiles: list[str] = field(default_factory=list)
    #: where the screenshot was written, if one was asked for
    screenshot: Path | None = None
    #: return value of ``actions(page)``
    evaluate: Any = None

    @property
    def ok(self) -> bool:
        return not self.page_errors and not self.missing_assets

    def problems(self) -> list[str]:
        return [f"page error: {e}" for e in self.page_errors] + [f"missing CDN asset: {u}" for u in self.missing_assets]

    def assert_clean(self, *, console: bool = True) -> None:
        """Raise AssertionError listing page errors, missing assets (and console errors)."""
        problems = self.problems()
        if console:
            problems += [f"console error: {e}" for e in self.console_errors]
        if problems:
            raise AssertionError(f"{self.url}:\n  " + "\n  ".join(problems))


_BLOCKED_CONSOLE = re.compile(r"Failed to load resource: net::ERR_(BLOCKED_BY_CLIENT|FAILED)")


class BrowserSession:
    """One Chromium; each :meth:`open` gets a fresh context (clean cache, storage, viewport)."""

    def __init__(
        self, playwright: Playwright | None, browser: Browser, root: Path | None, width: int, height: int
    ) -> None:
        self._playwright = playwright  # None: the browser belongs to an enclosing session
        self.browser = browser
        self.root = Path(root) if root is not None else None
        self.width = width
        self.height = height
        self._servers: dict[Path, _Server] = {}

    def _server(self, root: Path) -> _Server:
        key = Path(root).resolve()
        if key not in self._servers:
            self._servers[key] = _Server(key)
        return self._servers[key]

    def url_for(self, rel_path: str, *, root: Path | None = None) -> str:
        """The http://127.0.0.1:<port>/... URL of ``rel_path`` under ``root``."""
        root = root if root is not None else self.root
        if root is None:
            raise ValueError("no root: pass root= here or to browse()")
        return self._server(root).base_url + rel_path.lstrip("/")

    def open(
        self,
        rel_path: str,
        *,
        root: Path | None = None,
        screenshot: Path | None = None,
        actions: Callable[[Page], Any] | None = None,
        width: int | None = None,
        height: int | None = None,
        idle_ms: int = 200,
        settle_ms: int = 150,
        timeout_ms: int = 30_000,
        offline: bool = False,
        tiles: bytes | None = None,
    ) -> PageResult:
        """Load ``rel_path`` (relative to ``root``, default the session's root) and report.

        Waits for ``load``, then until no request has been in flight for ``idle_ms``
        (at most 10 s; playwright's own "networkidle" waits a fixed 500 ms), then
        ``settle_ms``; runs ``actions(page)`` with the page still open (its return value
        goes to ``PageResult.evaluate``), then takes the viewport screenshot, if asked for.

        ``offline=True`` refuses *every* outside request, CDN ones too (for self-contained
        pages: they are listed in ``aborted``, not in ``missing_assets``). ``tiles``: PNG bytes
        (see :func:`stub_tile_png`) served for every outside image request that is not a CDN
        asset, so a screenshot shows the map "with tiles" without a tile server.
        """
        url = self.url_for(rel_path, root=root)
        own_netloc = urlsplit(url).netloc
        result = PageResult(url=url)

        def handle(route: Route, request: Request) -> None:
            req_url = request.url
            parts = urlsplit(req_url)
            if parts.scheme not in ("http", "https") or parts.netloc == own_netloc:
                route.continue_()
                return
            if tiles is not None and request.resource_type == "image" and not is_cdn_url(req_url):
                result.stub_tiles.append(req_url)
                route.fulfill(status=200, body=tiles, headers={"Content-Type": "image/png"})
                return
            if is_cdn_url(req_url) and not offline:
                path = local_asset_for(req_url)
                if path is not None:
                    result.served_assets.append(req_url)
                    route.fulfill(
                        status=200,
                        path=path,  # read by the playwright driver: faster than body=
                        headers={
                            "Content-Type": _content_type(path),
                            "Access-Control-Allow-Origin": "*",  # fonts are CORS requests
                            "Cache-Control": "max-age=3600",
                        },
                    )
                    return
                result.missing_assets.append(req_url)
            else:
                result.aborted.append(req_url)
            route.abort("blockedbyclient")

        def on_console(msg: Any) -> None:
            if msg.type == "error" and not _BLOCKED_CONSOLE.search(msg.text):
                result.console_errors.append(msg.text)

        context = self.browser.new_context(
            viewport={"width": width or self.width, "height": height or self.height},
            service_workers="block",
        )
        try:
            context.route("**/*", handle)
            page = context.new_page()
            page.on("pageerror", lambda exc: result.page_errors.append(f"{exc.name}: {exc.message}"))
            page.on("console", on_console)
            inflight: set[Request] = set()
            last_activity = [time.monotonic()]

            def started(request: Request) -> None:
                inflight.add(request)
                last_activity[0] = time.monotonic()

            def ended(request: Request) -> None:
                inflight.discard(request)
                last_activity[0] = time.monotonic()

            page.on("request", started)
            page.on("requestfinished", ended)
            page.on("requestfailed", ended)
            page.goto(url, wait_until="load", timeout=timeout_ms)
            give_up = time.monotonic() + 10.0  # a page that keeps polling: go on anyway
            while time.monotonic() < give_up and (inflight or time.monotonic() - last_activity[0] < idle_ms / 1000):
                page.wait_for_timeout(25)  # events are dispatched while waiting
            if settle_ms:
                page.wait_for_timeout(settle_ms)
            if actions is not None:
                result.evaluate = actions(page)
            if screenshot is not None:
                screenshot = Path(screenshot)
                screenshot.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(screenshot))
                result.screenshot = screenshot
        finally:
            context.close()
        return result

    def close(self) -> None:
        try:
            if self._playwright is not None:
                try:
                    self.browser.close()
                finally:
                    self._playwright.stop()
        finally:
            for server in self._servers.values():
                server.close()
            self._servers.clear()


_active = threading.local()  # per thread: the sessions opened by browse(), innermost last


@contextmanager
def browse(
    root: Path | None = None, *, width: int = 1280, height: int = 800, headless: bool = True
) -> Iterator[BrowserSession]:
    """Launch Chromium once for several pages: ``with browse(root) as s: s.open("a.html")``.

    ``root`` may be left out and given to each :meth:`BrowserSession.open` instead
    (one HTTP server per distinct root, all closed on exit).

    playwright's sync API allows one instance per thread, so a ``browse()`` (or
    :func:`open_page`) inside another one, e.g. in a test whose module fixture holds
    a session, shares the enclosing session's browser (and its ``headless``) instead
    of launching a second one; it still has its own HTTP servers and contexts.
    """
    stack: list[BrowserSession] = _active.__dict__.setdefault("stack", [])
    if stack:
        session = BrowserSession(None, stack[-1].browser, root, width, height)
    else:
        from playwright.sync_api import sync_playwright

        playwright = sync_playwright().start()
        try:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=headless)
        except BaseException:
            playwright.stop()
            raise
        session = BrowserSession(playwright, browser, root, width, height)
    stack.append(session)
    try:
        yield session
    finally:
        stack.remove(session)
        session.close()


def map_session() -> Iterator[BrowserSession]:
    """One Chromium for a module's tests of built maps (a module fixture: ``session =
    pytest.fixture(scope="module", name="session")(map_session)``): skips without Chromium or the CDN assets,
    and makes :data:`ARTIFACTS` for the screenshots."""
    require_browser()
    require_assets()
    ARTIFACTS.mkdir(exist_ok=True)
    with browse() as s:
        yield s


def open_page(
    root: Path,
    rel_path: str,
    *,
    screenshot: Path | None = None,
    actions: Callable[[Page], Any] | None = None,
    width: int = 1280,
    height: int = 800,
) -> PageResult:
    """Open one page in its own browser (see :meth:`BrowserSession.open`)."""
    with browse(root, width=width, height=height) as session:
        return session.open(rel_path, screenshot=screenshot, actions=actions)
