"""Serve plotly.min.js from the installed `plotly` wheel as a static file.

The dashboard's charts must render without internet access, so the chart library is
not loaded from a CDN: the plotly wheel ships plotly.js (package_data/plotly.min.js),
and this finder exposes that one file as `vendor/plotly/plotly.min.js` to
runserver/WhiteNoise (finders) and to collectstatic (production).
"""
from __future__ import annotations

from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path

from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import Error
from django.core.files.storage import FileSystemStorage

PREFIX = "vendor/plotly"
FILENAME = "plotly.min.js"
STATIC_PATH = f"{PREFIX}/{FILENAME}"


@lru_cache(maxsize=1)
def plotly_js() -> Path | None:
    spec = find_spec("plotly")
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).parent / "package_data" / FILENAME
    return path if path.exists() else None


class PlotlyFinder(BaseFinder):
    def check(self, **kwargs):
        if plotly_js() is None:
            return [Error("plotly.min.js not found: install the `plotly` package (a dependency of liaison)", id="rollups.E001")]
        return []

    def find(self, path, find_all=False, **kwargs):
        find_all = find_all or kwargs.get("all", False)
        if path == STATIC_PATH and plotly_js() is not None:
            return [str(plotly_js())] if find_all else str(plotly_js())
        return [] if find_all else None

    def list(self, ignore_patterns):
        source = plotly_js()
        if source is not None:
            storage = FileSystemStorage(location=str(source.parent))
            storage.prefix = PREFIX
            yield FILENAME, storage
