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
[--only WORDS] [--fixed-cost]`` (about two minutes for every page).

``--fixed-cost`` also measures two bench-only pages for the logged-in buyer
(``bench/urls.py``): a request answered with no page (the session and the user) and an
empty page in the app's layout; the difference is the layout's own cost. ``--fixed-cost
--only peer`` measures these and the peer alone.
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

LOGGED_IN = "logged in, no page"
EMPTY_PAGE = "empty page in the layout"
FIXED_COST_PAGES = [
    (LOGGED_IN, "/bench/logged-in/", "buyer"),
    (EMPTY_PAGE, "/bench/empty-page/", "buyer"),
]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", default=[], metavar="WORDS")
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument(
        "--fixed-cost",
        action="store_true",
        help="also measure the fixed cost of a logged-in page: the session and the user, "
        "then an empty page in the layout",
    )
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
    pages = [
        page
        for page in run.pages(targets)
        if page[2] != "api" and (not args.only or any(word in page[0] for word in args.only))
    ]
    if args.fixed_cost:
        pages += FIXED_COST_PAGES
    names = []
    for name, path, who in pages:
        cookie = {"Cookie": run.browser_cookies(users[who])} if who else {}
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
    counts = counted_under_callgrind(
        __file__,
        args.repeats,
        *[f"--only={words}" for words in args.only],
        *(["--fixed-cost"] if args.fixed_cost else []),
    )
    if args.fixed_cost:
        counts["the layout alone"] = counts[EMPTY_PAGE] - counts[LOGGED_IN]
    print(f"{'page':<24} {'instructions per request':>26}")
    for name, count in counts.items():
        print(f"{name[:24]:<24} {count:>26,.0f}")


def counted_under_callgrind(script, repeats, *options):
    """Run ``script --inside NAMES_FILE --repeats N *options`` under callgrind; return the
    instructions per repeat of each measured step, by the names the script wrote (one line
    per step, in the order it measured them)."""
    with tempfile.TemporaryDirectory(prefix="bench-callgrind-") as folder:
        names_file = Path(folder) / "names"
        command = [
            "valgrind",
            "--tool=callgrind",
            f"--zero-before={ZERO}",
            f"--dump-before={DUMP}",
            f"--callgrind-out-file={folder}/callgrind.%p",
            sys.executable,
            script,
            "--inside",
            str(names_file),
            "--repeats",
            str(repeats),
            *options,
        ]
        subprocess.run(command, check=True, capture_output=True, env=os.environ)
        names = names_file.read_text().splitlines()
        dumps = sorted(
            Path(folder).glob("callgrind.*.*"), key=lambda p: int(p.name.rsplit(".", 1)[1])
        )
        return {
            name: int(re.search(r"^summary: (\d+)", dump.read_text(), re.M).group(1)) / repeats
            for name, dump in zip(names, dumps, strict=True)
        }


if __name__ == "__main__":
    main()
