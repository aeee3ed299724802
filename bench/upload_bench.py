"""Time and memory of evidence uploads through the real upload path.

Each case runs in a fresh Python process that sets up Django and sends one multipart
request through ``WSGIHandler`` (every middleware, the CSRF and login checks, the
upload handler and the view), with a request body streamed from a generator so the
benchmark itself never holds a file in memory. Cases:

- ``baseline``: a 30 KB photo, to show the process's footprint with Django loaded;
- ``accept_100mb_video``: a real H.264 MP4 of just under 100 MB (noise frames, a few
  seconds long), inspected, remuxed, hashed, stored with its poster and thumbnail;
- ``accept_50mp_png`` / ``accept_50mp_jpeg`` / ``accept_48mp_heic``: the worst photos
  accepted, near the 50-megapixel limit: an RGBA PNG (4 bytes a pixel, no reduced
  decoding in Pillow), a CMYK JPEG (decoded at a reduced size with ``draft``) and a HEIC
  of a 48 MP phone's size (decoded by libheif, then copied by Pillow), each small on disk;
- ``refuse_1gb`` / ``refuse_2gb``: a "video" of 1 GB and 2 GB that the handler stops
  storing at the limit; the bytes are still read, never stored.

Peak memory is reported three ways: tracemalloc's peak of Python allocations during the
request (a separate run, since tracing slows everything), the web process's peak RSS
during the request, and the sandbox child's own peak RSS (its ``VmHWM``, read every few
milliseconds while it runs: ``RUSAGE_CHILDREN`` would count the parent's pages it was
forked with); their sum is what one gunicorn worker costs at worst. Results go to
``bench/results/upload.json``.

Run: ``.venv/bin/python bench/upload_bench.py``
"""

import argparse
import contextlib
import itertools
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "upload.json"
CORPUS = ROOT.parent / "shared" / "corpus"
VIDEO_TARGET_BYTES = 99_000_000
STREAM_CHUNK = 1024 * 1024
BOUNDARY = "----evidence-bench-boundary"
CSRF_SECRET = "a" * 32
ORDER_NUMBER = "8039999999999999"
PHOTO_SIDES = {
    "accept_50mp_png": (7071, 7071),
    "accept_50mp_jpeg": (8160, 6120),
    "accept_48mp_heic": (8064, 6048),
}
CASES = ("baseline", "accept_100mb_video", *PHOTO_SIDES, "refuse_1gb", "refuse_2gb")
PREPARE = "prepare"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", choices=(*CASES, PREPARE), help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.case == PREPARE:
        prepare(Path(arguments.workdir))
    elif arguments.case:
        run_case(arguments.case, Path(arguments.workdir), trace=arguments.trace)
    else:
        run_all()


# The parent stays small (Linux carries a process's peak RSS across exec into its
# children): a child prepares the database and the video, then each case runs twice.


def run_all():
    workdir = Path(tempfile.mkdtemp(prefix="upload-bench-"))
    try:
        print(_child(PREPARE, workdir, trace=False)["video"])
        rows = [_measure(case, workdir) for case in CASES]
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    _print_table(rows)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"python": sys.version.split()[0], "cases": rows}, indent=2))
    print(f"\nwritten to {RESULTS.relative_to(ROOT)}")


def _measure(case, workdir):
    timed = _child(case, workdir, trace=False)
    traced = _child(case, workdir, trace=True)
    return timed | {"tracemalloc_peak_mb": traced["tracemalloc_peak_mb"]}


def _child(case, workdir, *, trace):
    command = [sys.executable, __file__, "--case", case, "--workdir", str(workdir)]
    if trace:
        command.append("--trace")
    completed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if completed.returncode:
        sys.exit(f"case {case} failed:\n{completed.stdout}\n{completed.stderr}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _print_table(rows):
    header = (
        f"{'case':<20} {'body MB':>8} {'status':>6} {'outcome':<9} {'seconds':>8} "
        f"{'MB/s':>7} {'traced peak MB':>14} {'RSS before':>10} {'request peak RSS':>16} "
        f"{'child peak RSS':>14} {'worker + child':>14}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        print(
            f"{row['case']:<20} {row['body_mb']:>8.1f} {row['status']:>6} "
            f"{row['outcome']:<9} {row['seconds']:>8.2f} {row['mb_per_second']:>7.0f} "
            f"{row['tracemalloc_peak_mb']:>14.2f} {row['rss_before_mb']:>10.1f} "
            f"{row['request_peak_rss_mb']:>16.1f} {row['children_peak_rss_mb']:>14.1f} "
            f"{row['request_peak_rss_mb'] + row['children_peak_rss_mb']:>14.1f}"
        )


def _configure(workdir):
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["EVIDENCE_ROOT"] = str(workdir / "evidence")
    os.environ["DJANGO_LOG_LEVEL"] = "WARNING"
    sys.path.insert(0, str(ROOT))


def prepare(workdir):
    _configure(workdir)
    _prepare_database()
    video = make_video(workdir / "noise.mp4")
    make_photos(workdir)
    print(json.dumps({"video": f"video: {video.stat().st_size / 1e6:.1f} MB, H.264 noise"}))


def _prepare_database():
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from tests.disputes.builders import disputable_order
    from tests.factories import make_user

    disputable_order(make_user("bench"), number=ORDER_NUMBER)


def make_video(path):
    """Encode noise frames as H.264 until the MP4 is just under 100 MB (a few seconds)."""
    import av
    from PIL import Image

    width, height = 1280, 720
    written = 0
    with av.open(str(path), "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=30)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.options = {"preset": "ultrafast", "qp": "12"}
        # Noise does not compress, so each frame costs about the same; stop with room left
        # for the frames still inside the encoder and the moov box.
        while written < VIDEO_TARGET_BYTES * 0.97:
            image = Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))
            for packet in stream.encode(av.VideoFrame.from_image(image)):
                written += packet.size
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    if path.stat().st_size > 100_000_000:
        sys.exit(f"the noise video came out at {path.stat().st_size} bytes, over 100 MB")
    return path


def make_photos(workdir):
    """The worst accepted photos: one colour, so small on disk, yet just under 50 MP."""
    from PIL import Image
    from pillow_heif import register_heif_opener

    register_heif_opener()
    Image.new("RGBA", PHOTO_SIDES["accept_50mp_png"], (200, 30, 30, 128)).save(
        workdir / "accept_50mp_png", format="PNG"
    )
    Image.new("CMYK", PHOTO_SIDES["accept_50mp_jpeg"], (10, 200, 30, 5)).save(
        workdir / "accept_50mp_jpeg", format="JPEG"
    )
    Image.new("RGB", PHOTO_SIDES["accept_48mp_heic"], (120, 80, 40)).save(
        workdir / "accept_48mp_heic", format="HEIF", quality=50
    )


# A child: one request through the WSGI handler, measured.


class StreamedBody:
    """A ``wsgi.input`` that produces the multipart body from generators, chunk by chunk."""

    def __init__(self, parts):
        self.parts = iter(parts)
        self.current = b""
        self.offset = 0

    def read(self, size=-1):
        if size is None or size < 0:
            size = sys.maxsize
        pieces = []
        while size > 0:
            if self.offset >= len(self.current):
                self.current, self.offset = next(self.parts, b""), 0
                if not self.current:
                    break
            piece = self.current[self.offset : self.offset + size]
            self.offset += len(piece)
            size -= len(piece)
            pieces.append(piece)
        return b"".join(pieces)

    def readline(self, size=-1):
        """Needed by Django's LimitedStream; the multipart parser itself only calls read()."""
        line = []
        while size < 0 or len(line) < size:
            byte = self.read(1)
            line.append(byte)
            if byte in (b"", b"\n"):
                break
        return b"".join(line)


def _file_chunks(path):
    with open(path, "rb") as stream:
        while chunk := stream.read(STREAM_CHUNK):
            yield chunk


def _fake_video_chunks(total):
    """``total`` bytes that start like an MP4 (libmagic: video/mp4), never all in memory."""
    head = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"
    chunk = os.urandom(STREAM_CHUNK)
    yield head
    sent = len(head)
    while sent < total:
        piece = chunk[: min(STREAM_CHUNK, total - sent)]
        sent += len(piece)
        yield piece


def _multipart(file_name, content_type, size, chunks, draft):
    """The parts of a multipart body and its length, with the file's bytes streamed."""
    fields = {"order": ORDER_NUMBER, "draft": draft}
    head = "".join(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in fields.items()
    )
    head += (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="evidence"; '
        f'filename="{file_name}"\r\nContent-Type: {content_type}\r\n\r\n'
    )
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()
    length = len(head.encode()) + size + len(tail)
    # chain(), not a list: the file's chunks must be produced only as the server reads.
    return itertools.chain([head.encode()], chunks, [tail]), length


def _case_body(case, workdir):
    if case == "baseline":
        path = CORPUS / "good" / "png_photo_hopper.png"
        return "IMG_1.PNG", "image/png", path.stat().st_size, _file_chunks(path)
    if case == "accept_100mb_video":
        path = workdir / "noise.mp4"
        return "IMG_2.MP4", "video/mp4", path.stat().st_size, _file_chunks(path)
    if case in PHOTO_SIDES:
        path = workdir / case
        return "IMG_4.IMG", "image/jpeg", path.stat().st_size, _file_chunks(path)
    size = {"refuse_1gb": 1024**3, "refuse_2gb": 2 * 1024**3}[case]
    return "IMG_3.MOV", "video/quicktime", size, _fake_video_chunks(size)


def run_case(case, workdir, *, trace):
    _configure(workdir)
    import django

    django.setup()
    from django.core.handlers.wsgi import WSGIHandler
    from django.test import Client, RequestFactory

    from accounts.models import User
    from disputes.evidence.drafts import WIZARD, DraftForm, issue_draft_key
    from disputes.models import Evidence
    from orders.models import Order

    client = Client()
    client.force_login(User.objects.get(username="bench"))
    # The wizard's draft key, as the wizard page issues it.
    session = client.session
    order = Order.objects.get(number=ORDER_NUMBER)
    draft = issue_draft_key(session, DraftForm.of(WIZARD, order))
    session.save()
    file_name, content_type, size, chunks = _case_body(case, workdir)
    parts, length = _multipart(file_name, content_type, size, chunks, draft)
    environ = RequestFactory()._base_environ(
        PATH_INFO="/evidence/upload/",
        REQUEST_METHOD="POST",
        CONTENT_TYPE=f"multipart/form-data; boundary={BOUNDARY}",
        CONTENT_LENGTH=str(length),
        HTTP_COOKIE=f"sessionid={client.cookies['sessionid'].value}; csrftoken={CSRF_SECRET}",
        HTTP_X_CSRFTOKEN=CSRF_SECRET,
        HTTP_HX_REQUEST="true",
        HTTP_HOST="127.0.0.1",
        SERVER_NAME="127.0.0.1",
    )
    environ["wsgi.input"] = StreamedBody(parts)
    handler = WSGIHandler()
    rss_before = _rss_mb()
    _reset_peak_rss()
    status = []
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    with ChildPeakWatcher() as children:
        response = handler(environ, lambda code, headers: status.append(code))
        body = b"".join(response)
        response.close()
    seconds = time.perf_counter() - started
    traced_peak = tracemalloc.get_traced_memory()[1] if trace else 0
    stored = Evidence.objects.filter(original_name=file_name).exists()
    Evidence.objects.all().delete()
    shutil.rmtree(workdir / "evidence", ignore_errors=True)
    print(
        json.dumps(
            {
                "case": case,
                "body_mb": length / 1e6,
                "status": int(status[0].split()[0]),
                "outcome": "stored" if stored else "refused",
                "message": _refusal(body.decode()),
                "seconds": seconds,
                "mb_per_second": length / 1e6 / seconds,
                "tracemalloc_peak_mb": traced_peak / 1e6,
                "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "children_peak_rss_mb": children.peak_mb,
                "rss_before_mb": rss_before,
                "request_peak_rss_mb": _proc_status_mb("VmHWM"),
            }
        )
    )


class ChildPeakWatcher(threading.Thread):
    """Poll the peak RSS (VmHWM) of this process's children while the block runs."""

    INTERVAL_SECONDS = 0.002

    def __init__(self):
        super().__init__(daemon=True)
        self.peaks = {}
        self.stopped = threading.Event()

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc_info):
        self.stopped.set()
        self.join()

    @property
    def peak_mb(self):
        return max(self.peaks.values(), default=0) / 1024

    def run(self):
        while not self.stopped.wait(self.INTERVAL_SECONDS):
            for pid in _children():
                with contextlib.suppress(OSError, ValueError):
                    # Before its exec, a child still shows the pages of this process.
                    if b"disputes.evidence.sandbox" not in _read(f"/proc/{pid}/cmdline"):
                        continue
                    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                        if line.startswith("VmHWM:"):
                            peak = int(line.split()[1])
                            self.peaks[pid] = max(self.peaks.get(pid, 0), peak)


def _read(path):
    return Path(path).read_bytes()


def _children():
    for task in Path("/proc/self/task").iterdir():
        with contextlib.suppress(OSError):
            yield from (task / "children").read_text().split()


def _rss_mb():
    return _proc_status_mb("VmRSS")


def _proc_status_mb(field):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _reset_peak_rss():
    """Reset VmHWM so it measures the request alone (Linux: write 5 to clear_refs)."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def _refusal(html):
    marker = 'class="evidence-refusal"'
    if marker not in html:
        return ""
    item = html.split(marker, 1)[1]
    return item.split(">", 1)[1].split("</li>", 1)[0]


if __name__ == "__main__":
    main()
