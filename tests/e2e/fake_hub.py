"""An in-process fake of the Hugging Face hub, just the part `qwenrt pull` speaks:

    GET /api/models/{org}/{name}/revision/{revision}?blobs=true   -> repo info + siblings
    GET /{org}/{name}/resolve/{revision}/{rfilename}              -> bytes, or 302 to /cdn/
    GET /cdn/{sha256}                                             -> bytes of an LFS file

It runs on 127.0.0.1 (a free port) in a daemon thread, logs every request so tests can
assert what went over the wire, and can misbehave on purpose (gated repos, a transfer cut
short once, corrupt bytes, unsafe file names). Python stdlib only.

    with FakeHub() as hub:
        repo = hub.add_repo("test-org/tiny-qwen3", directory=tiny_model)
        repo.truncate_once.add("model.safetensors")
        ... HF_ENDPOINT=hub.url ...
        assert hub.requests_to("/cdn/")[-1].range == "bytes=...-"
"""
import dataclasses
import hashlib
import http.server
import json
import pathlib
import threading
import urllib.parse

LFS_SUFFIXES = (".safetensors", ".gguf")  # what the real hub keeps in LFS for Qwen repos


def git_blob_id(data):
    """The git object id of a file, which the hub reports as `blobId` for non-LFS files."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def fake_commit(text):
    """A stable 40-hex 'commit' so tests can predict snapshot paths."""
    return hashlib.sha1(text.encode()).hexdigest()


@dataclasses.dataclass
class Request:
    method: str
    path: str            # as sent, still percent-encoded, with the query string
    range: str | None    # the Range header
    auth: str | None     # the Authorization header


@dataclasses.dataclass
class FakeRepo:
    repo_id: str
    files: dict                 # rfilename -> bytes (what the hub announces as the truth)
    branches: dict              # revision name -> commit; "main" always exists
    token: str | None = None    # set: the repo is gated and wants `Bearer <token>`
    truncate_once: set = dataclasses.field(default_factory=set)  # rfilenames cut short once
    corrupt: set = dataclasses.field(default_factory=set)        # rfilenames served wrong
    extra_siblings: dict = dataclasses.field(default_factory=dict)  # e.g. unsafe names

    @property
    def commit(self):
        return self.branches["main"]

    def is_lfs(self, rfilename):
        return rfilename.endswith(LFS_SUFFIXES)

    def all_files(self):
        return {**self.files, **self.extra_siblings}

    def resolve(self, revision):
        """The commit a revision names (a branch or a commit itself), or None."""
        if revision in self.branches:
            return self.branches[revision]
        return revision if revision in self.branches.values() else None

    def sibling(self, rfilename, data):
        entry = {"rfilename": rfilename, "size": len(data), "blobId": git_blob_id(data)}
        if self.is_lfs(rfilename):
            entry["lfs"] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
        return entry

    def blob_name(self, rfilename):
        """The file name huggingface_hub gives this file under blobs/."""
        data = self.all_files()[rfilename]
        return hashlib.sha256(data).hexdigest() if self.is_lfs(rfilename) else git_blob_id(data)


class FakeHub:
    def __init__(self):
        self.repos = {}
        self.requests = []
        self._lock = threading.Lock()  # the handler threads append to `requests`
        self._truncated = set()        # (repo_id, rfilename) already cut short once
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(self))
        self._server.daemon_threads = True
        self.url = "http://127.0.0.1:%d" % self._server.server_address[1]

    def __enter__(self):
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()

    def add_repo(self, repo_id, directory=None, files=None, token=None):
        """A repo holding every file under `directory` (relative paths with '/') plus
        `files` (rfilename -> bytes); its main branch points at fake_commit(repo_id)."""
        content = {}
        if directory is not None:
            root = pathlib.Path(directory)
            for path in sorted(root.rglob("*")):
                if path.is_file():
                    content[path.relative_to(root).as_posix()] = path.read_bytes()
        content.update(files or {})
        repo = FakeRepo(repo_id, content, {"main": fake_commit(repo_id)}, token=token)
        self.repos[repo_id] = repo
        return repo

    def requests_to(self, fragment):
        """The logged requests whose path contains `fragment`."""
        with self._lock:
            return [r for r in self.requests if fragment in r.path]

    def clear_log(self):
        with self._lock:
            self.requests.clear()

    def _log(self, request):
        with self._lock:
            self.requests.append(request)

    def _lfs_file(self, sha256):
        """The (repo, rfilename) an LFS sha256 stands for; the CDN serves by content."""
        for repo in self.repos.values():
            for rfilename, data in repo.all_files().items():
                if repo.is_lfs(rfilename) and hashlib.sha256(data).hexdigest() == sha256:
                    return repo, rfilename
        return None, None

    def _take_truncation(self, repo, rfilename):
        """True the first time a truncate_once file is asked for, then never again."""
        key = (repo.repo_id, rfilename)
        with self._lock:
            if rfilename in repo.truncate_once and key not in self._truncated:
                self._truncated.add(key)
                return True
        return False


def _make_handler(hub):
    class Handler(http.server.BaseHTTPRequestHandler):
        # HTTP/1.1 so a client may keep its connection alive; every reply sets
        # Content-Length, which HTTP/1.1 then needs.
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):  # keep pytest output clean
            pass

        def do_GET(self):
            self._route(head=False)

        def do_HEAD(self):
            self._route(head=True)

        def _route(self, head):
            hub._log(Request(self.command, self.path, self.headers.get("Range"),
                             self.headers.get("Authorization")))
            # Split on the encoded path, so an encoded '/' in a revision stays one segment.
            raw = urllib.parse.urlsplit(self.path).path
            parts = [urllib.parse.unquote(p) for p in raw.strip("/").split("/")]
            if parts[:2] == ["api", "models"] and len(parts) == 6 and parts[4] == "revision":
                return self._api(parts[2] + "/" + parts[3], parts[5], head)
            if len(parts) >= 5 and parts[2] == "resolve":
                return self._resolve(parts[0] + "/" + parts[1], parts[3], "/".join(parts[4:]), head)
            if len(parts) == 2 and parts[0] == "cdn":
                repo, rfilename = hub._lfs_file(parts[1])
                if repo is not None:
                    return self._send_file(repo, rfilename, head)
            self._json(404, {"error": "Entry not found"}, head)

        def _authorized(self, repo, head):
            """Gated repos answer like the hub: 401 without a token, 403 with a wrong one."""
            if repo.token is None:
                return True
            auth = self.headers.get("Authorization")
            if auth is None:
                self._json(401, {"error": "Access to model %s is restricted." % repo.repo_id}, head)
            elif auth != "Bearer " + repo.token:
                self._json(403, {"error": "Access to model %s is restricted and you are not in "
                                          "the authorized list." % repo.repo_id}, head)
            else:
                return True
            return False

        def _api(self, repo_id, revision, head):
            repo = hub.repos.get(repo_id)
            commit = repo.resolve(revision) if repo else None
            if repo is None or commit is None:
                return self._json(404, {"error": "Repository not found"}, head)
            if not self._authorized(repo, head):
                return
            siblings = [repo.sibling(n, d) for n, d in repo.all_files().items()]
            self._json(200, {"id": repo_id, "sha": commit, "siblings": siblings}, head)

        def _resolve(self, repo_id, revision, rfilename, head):
            repo = hub.repos.get(repo_id)
            if repo is None or repo.resolve(revision) is None:
                return self._json(404, {"error": "Repository not found"}, head)
            if not self._authorized(repo, head):
                return
            if rfilename not in repo.all_files():
                return self._json(404, {"error": "Entry not found"}, head)
            if repo.is_lfs(rfilename):
                # The hub sends LFS files through its CDN; here that is the same server.
                self.send_response(302)
                self.send_header("Location", "/cdn/" + repo.blob_name(rfilename))
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self._send_file(repo, rfilename, head)

        def _send_file(self, repo, rfilename, head):
            data = repo.all_files()[rfilename]
            if rfilename in repo.corrupt:
                data = data[:-1] + bytes([data[-1] ^ 0xFF])  # same size, wrong hash
            total, start, end = len(data), 0, len(data) - 1
            wanted = self.headers.get("Range")
            if wanted:
                first, _, last = wanted.removeprefix("bytes=").partition("-")
                start = int(first)
                end = min(int(last), total - 1) if last else total - 1
                if start >= total:
                    self.send_response(416)
                    self.send_header("Content-Range", "bytes */%d" % total)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
            self.send_response(206 if wanted else 200)
            if wanted:
                self.send_header("Content-Range", "bytes %d-%d/%d" % (start, end, total))
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(end - start + 1))
            self.send_header("Accept-Ranges", "bytes")
            self.send_header("ETag", '"%s"' % repo.blob_name(rfilename))
            self.end_headers()
            if head:
                return
            body = data[start:end + 1]
            if not wanted and self.command == "GET" and hub._take_truncation(repo, rfilename):
                # Promise the whole file, send half, hang up: the client must resume.
                self.wfile.write(body[:len(body) // 2])
                self.wfile.flush()
                self.close_connection = True
                return
            self.wfile.write(body)

        def _json(self, status, obj, head):
            body = json.dumps(obj).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            if status >= 400:
                self.send_header("X-Error-Message", obj.get("error", ""))
            self.end_headers()
            if not head:
                self.wfile.write(body)

    return Handler
