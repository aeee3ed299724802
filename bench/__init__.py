"""The benchmark (bench/run.py) and what only it serves: the peer page (bench/urls.py)."""
