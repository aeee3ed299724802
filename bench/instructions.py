"""Instructions per request of each page, counted by Valgrind's callgrind: unlike time, the
count hardly moves when other programs load the machine, so two versions of a page can be
compared on a busy one.

Runs itself under ``valgrind --tool=callgrind`` against a database the benchmark kept
(``bench/run.py --keep-db``, same ``BENCH_DB``), with the benchmark's settings. Each page
is requested a few times to warm up, then ``--repeats`` times between calls of two C
functions nothing else calls (``math.factorial``, ``math.gcd``): callgrind zeroes its
counts at the first (``--zero-before``) and writes them at the second (``--dump-before``),
one count per page. Only this process's instructions are counted, not PostgreSQL's or
Redis's. Usage: ``BENCH_DB=disputes_bench_mine .venv/bin/python bench/instructions.py
[--only WORDS]`` (about two minutes for every page).
"""

import argparse
import math
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import run

# Two C functions of Python's math module that nothing else here calls, called around
# each page's requests: callgrind zeroes its counts before the first and writes them
# before the second.
ZERO, DUMP = "math_factorial", "math_gcd"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", default=[], metavar="WORDS")
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--inside", help=argparse.SUPPRESS)  # set when run under valgrind
    return parser.parse_args()


def measured(action):
    """Run ``action`` between the two marks: callgrind counts its instructions alone."""
    math.factorial(0)
    action()
    math.gcd(0)


def inside(args):
    """Under valgrind: request the pages, each page's repeats measured apart."""
    import profile_pages

    run.setup_django()
    from django.test import Client

    targets = profile_pages.targets()
    users = {
        "buyer": targets.buyer_id,
        "seller": targets.seller_user_id,
        "mediator": targets.mediator_id,
    }
    names = []
    for name, path, who in run.pages(targets):
        if who == "api" or (args.only and not any(word in name for word in args.only)):
            continue
        cookie = {"Cookie": run.session_cookie(users[who])} if who else {}
        client = Client(HTTP_HOST=run.HOST, headers=cookie)
        for _ in range(3):
            assert client.get(path).status_code == 200, path

        def requests(client=client, path=path):
            for _ in range(args.repeats):
                client.get(path)

        measured(requests)
        names.append(name)
    Path(args.inside).write_text("\n".join(names))


def main():
    args = parse_args()
    if args.inside:
        return inside(args)
    with tempfile.TemporaryDirectory(prefix="bench-callgrind-") as folder:
        names_file = Path(folder) / "pages"
        command = [
            "valgrind",
            "--tool=callgrind",
            f"--zero-before={ZERO}",
            f"--dump-before={DUMP}",
            f"--callgrind-out-file={folder}/callgrind.%p",
            sys.executable,
            __file__,
            "--inside",
            str(names_file),
            "--repeats",
            str(args.repeats),
            *[f"--only={words}" for words in args.only],
        ]
        subprocess.run(command, check=True, capture_output=True, env=os.environ)
        names = names_file.read_text().splitlines()
        dumps = sorted(
            Path(folder).glob("callgrind.*.*"), key=lambda p: int(p.name.rsplit(".", 1)[1])
        )
        print(f"{'page':<24} {'instructions per request':>26}")
        for name, dump in zip(names, dumps, strict=True):
            total = int(re.search(r"^summary: (\d+)", dump.read_text(), re.M).group(1))
            print(f"{name[:24]:<24} {total / args.repeats:>26,.0f}")


if __name__ == "__main__":
    main()
