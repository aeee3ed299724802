"""gunicorn.conf.py gives the workers of a server one metrics folder, emptied as it starts."""

import os
import runpy
from pathlib import Path

from django.conf import settings

CONFIG = str(Path(settings.BASE_DIR) / "gunicorn.conf.py")


def test_a_server_without_a_folder_named_gets_its_own_removed_when_it_stops(monkeypatch):
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    config = runpy.run_path(CONFIG)

    config["on_starting"](server=None)
    folder = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    assert folder.is_dir()
    config["on_exit"](server=None)

    assert not folder.exists()


def test_the_operators_folder_is_emptied_of_old_counts_and_kept(monkeypatch, tmp_path):
    folder = tmp_path / "metrics"
    folder.mkdir()
    (folder / "counter_1234.db").write_bytes(b"old counts")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(folder))
    config = runpy.run_path(CONFIG)

    config["on_starting"](server=None)
    config["on_exit"](server=None)

    assert folder.is_dir() and list(folder.iterdir()) == []
