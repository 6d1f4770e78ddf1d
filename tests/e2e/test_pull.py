"""`qwenrt pull` against a fake hub (fake_hub.py): the huggingface_hub cache layout, file
selection, GGUF choice, resume, checksums, auth, offline mode, hostile listings, and the
other subcommands taking a hub REF where they take a path."""
import os
import pathlib
import subprocess

import pytest

from conftest import QWENRT
from fake_hub import FakeHub, fake_commit

REPO = "test-org/tiny-qwen3"
GGUF_REPO = "test-org/tiny-qwen3-gguf"
# What a default pull takes from REPO: the tiny_model checkpoint, nothing else it serves.
DEFAULT_FILES = {"config.json", "generation_config.json", "model.safetensors",
                 "tokenizer.json", "tokenizer_config.json"}
GGUFS = ("tiny-q8_0.gguf", "tiny-q4_0.gguf", "tiny-q4_k_m.gguf")
PROMPT = "31415926"  # digits are one token each, which the tiny model can read
BIN = QWENRT.absolute()  # QWENRT_BIN may be relative, and pull() runs in its own cwd


@pytest.fixture
def hub():
    with FakeHub() as fake:
        yield fake


@pytest.fixture
def repo(hub, tiny_model):
    """The tiny checkpoint, plus files a default pull must leave alone: README.md (not a
    default pattern), and .json/.onnx files in subfolders (only top-level files count)."""
    return hub.add_repo(REPO, directory=tiny_model, files={
        "README.md": b"# tiny\n", "onnx/model.onnx": b"onnx" * 100,
        "original/params.json": b'{"dim": 64}'})


@pytest.fixture
def gguf_repo(hub):
    # Arbitrary bytes: pull checks hashes, not GGUF headers, and these are never run.
    return hub.add_repo(GGUF_REPO, files={"README.md": b"# gguf\n", **{
        name: name.encode() * 1000 for name in GGUFS}})


@pytest.fixture
def cache(tmp_path):
    return tmp_path / "hf-cache"


def pull(hub, cache, *args, env=None, command="pull"):
    """Runs `qwenrt pull ARGS` against the fake hub with a clean HF environment (nothing
    from the developer's shell: no token, no real cache), then checks that nothing was
    written outside HF_HUB_CACHE: the working directory and HOME stay empty."""
    sandbox = cache.parent
    cwd, home = sandbox / "cwd", sandbox / "home"
    cwd.mkdir(exist_ok=True)
    home.mkdir(exist_ok=True)
    before = outside_cache(sandbox, cache)
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HUGGING"))}
    clean.update({"HOME": str(home), "HF_ENDPOINT": hub.url, "HF_HUB_CACHE": str(cache), **(env or {})})
    r = subprocess.run([str(BIN), command, *map(str, args)], capture_output=True,
                       text=True, timeout=120, env=clean, cwd=cwd)
    assert outside_cache(sandbox, cache) == before, "wrote outside HF_HUB_CACHE"
    return r


def outside_cache(root, cache):
    return {p for p in root.rglob("*") if cache not in p.parents and p != cache}


def pulled_path(r):
    assert r.returncode == 0, r.stderr
    return pathlib.Path(r.stdout.strip().splitlines()[-1])


def assert_error(r, *needles):
    """Exit 1 and an `error: ` line on stderr (progress may come first) that mentions
    every needle, case-insensitively."""
    assert r.returncode == 1, (r.returncode, r.stderr)
    lines = r.stderr.splitlines()
    at = [i for i, line in enumerate(lines) if line.startswith("error: ")]
    assert at, r.stderr
    message = "\n".join(lines[at[0]:]).lower()
    for needle in needles:
        assert needle.lower() in message, (needle, r.stderr)


def repo_dir(cache, repo_id):
    return cache / ("models--" + repo_id.replace("/", "--"))


def assert_snapshot(cache, repo, names, commit=None):
    """The snapshot holds exactly `names`, each a relative symlink into blobs/ named as
    huggingface_hub names it, with the hub's bytes; blobs/ holds nothing else (no
    leftover partial downloads)."""
    top = repo_dir(cache, repo.repo_id)
    snapshot = top / "snapshots" / (commit or repo.commit)
    found = {p.relative_to(snapshot).as_posix() for p in snapshot.rglob("*")
             if p.is_symlink() or p.is_file()}
    assert found == set(names)
    for name in names:
        link = snapshot / name
        assert link.is_symlink() and not os.path.isabs(os.readlink(link)), name
        assert link.resolve() == (top / "blobs" / repo.blob_name(name)).resolve(), name
        assert link.read_bytes() == repo.files[name], name
    assert {p.name for p in (top / "blobs").iterdir()} == {repo.blob_name(n) for n in names}
    return snapshot


def downloads(hub):
    return hub.requests_to("/resolve/") + hub.requests_to("/cdn/")


def test_pull_fetches_default_files_into_the_hf_cache_layout(hub, repo, cache):
    r = pull(hub, cache, REPO)
    snapshot = assert_snapshot(cache, repo, DEFAULT_FILES)
    assert pulled_path(r) == snapshot
    assert (repo_dir(cache, REPO) / "refs" / "main").read_text().strip() == repo.commit
    assert hub.requests_to("/api/models/%s/revision/main" % REPO)
    for skipped in ("README.md", "onnx", "original"):
        assert not hub.requests_to(skipped), skipped


def test_include_globs_replace_the_default_selection(hub, repo, cache):
    r = pull(hub, cache, REPO, "--include", "README.md", "--include", "onnx/*")
    assert pulled_path(r) == assert_snapshot(cache, repo, {"README.md", "onnx/model.onnx"})


def test_second_pull_only_asks_the_api(hub, repo, cache):
    first = pulled_path(pull(hub, cache, REPO))
    hub.clear_log()
    assert pulled_path(pull(hub, cache, REPO)) == first
    assert hub.requests and all(q.path.startswith("/api/models/") for q in hub.requests)


def test_offline_pull_uses_the_cache_without_a_request(hub, repo, cache):
    first = pulled_path(pull(hub, cache, REPO))
    hub.clear_log()
    assert pulled_path(pull(hub, cache, REPO, env={"HF_HUB_OFFLINE": "1"})) == first
    assert hub.requests == []


def test_offline_pull_with_an_empty_cache_fails(hub, repo, cache):
    assert_error(pull(hub, cache, REPO, env={"HF_HUB_OFFLINE": "1"}), "HF_HUB_OFFLINE")
    assert hub.requests == []


def test_pull_at_a_commit(hub, repo, cache):
    r = pull(hub, cache, "%s@%s" % (REPO, repo.commit))
    assert pulled_path(r) == assert_snapshot(cache, repo, DEFAULT_FILES)
    assert hub.requests_to("/revision/" + repo.commit)


def test_pull_at_a_branch_records_its_ref(hub, repo, cache):
    repo.branches["dev"] = fake_commit("dev")
    r = pull(hub, cache, REPO + "@dev")
    assert pulled_path(r) == assert_snapshot(cache, repo, DEFAULT_FILES, fake_commit("dev"))
    assert (repo_dir(cache, REPO) / "refs" / "dev").read_text().strip() == fake_commit("dev")


def test_a_new_commit_on_main_gives_a_new_snapshot_and_moves_the_ref(hub, repo, cache):
    old = pulled_path(pull(hub, cache, REPO))
    repo.branches["main"] = fake_commit("second commit")
    new = pulled_path(pull(hub, cache, REPO))
    assert new != old and new.name == repo.commit
    assert (repo_dir(cache, REPO) / "refs" / "main").read_text().strip() == repo.commit


# model.safetensors comes through the 302 to /cdn/, tokenizer.json straight from /resolve/.
@pytest.mark.parametrize("name,where", [("model.safetensors", "/cdn/"),
                                        ("tokenizer.json", "/resolve/")])
def test_an_interrupted_download_resumes_with_range(hub, repo, cache, name, where):
    repo.truncate_once.add(name)
    r = pull(hub, cache, REPO)
    assert pulled_path(r) == assert_snapshot(cache, repo, DEFAULT_FILES)
    size = len(repo.files[name])
    ranges = [q.range for q in hub.requests_to(where) if q.method == "GET" and q.range
              and (name in q.path or repo.blob_name(name) in q.path)]
    assert ranges, hub.requests
    start = int(ranges[-1].removeprefix("bytes=").split("-")[0])
    assert 0 < start < size, ranges


@pytest.mark.parametrize("name", ["model.safetensors", "config.json"])  # sha256 / blobId
def test_a_checksum_mismatch_fails_and_leaves_no_snapshot_file(hub, repo, cache, name):
    repo.corrupt.add(name)
    assert_error(pull(hub, cache, REPO), "checksum", name)
    snapshot = repo_dir(cache, REPO) / "snapshots" / repo.commit
    assert not os.path.lexists(snapshot / name)
    assert not os.path.lexists(repo_dir(cache, REPO) / "blobs" / repo.blob_name(name))


def test_a_gated_repo_without_a_token_asks_for_hf_token(hub, repo, cache):
    repo.token = "hf_right"
    assert_error(pull(hub, cache, REPO), "HF_TOKEN")


def test_a_gated_repo_with_a_wrong_token_reports_403(hub, repo, cache):
    repo.token = "hf_right"
    assert_error(pull(hub, cache, REPO, env={"HF_TOKEN": "hf_wrong"}), "403")


def test_a_gated_repo_with_its_token_downloads(hub, repo, cache):
    repo.token = "hf_right"
    r = pull(hub, cache, REPO, env={"HF_TOKEN": "hf_right"})
    assert pulled_path(r) == assert_snapshot(cache, repo, DEFAULT_FILES)
    for q in hub.requests_to("/api/") + hub.requests_to("/resolve/"):
        assert q.auth == "Bearer hf_right", q


@pytest.mark.parametrize("ref", ["test-org/no-such-model", REPO + "@no-such-branch"])
def test_an_unknown_repo_or_revision_is_not_found(hub, repo, cache, ref):
    assert_error(pull(hub, cache, ref), "not found")
    assert not downloads(hub)


# Each would land outside the snapshot directory if joined to it blindly; the absolute
# one would land outside the cache (the pull helper checks nothing appeared there).
@pytest.mark.parametrize("name", ["../evil.json", "../../../../evil.json",
                                  "sub/../../evil.json", "{sandbox}/evil.json"])
def test_an_unsafe_file_name_in_the_listing_is_refused(hub, repo, cache, name):
    name = name.format(sandbox=cache.parent)
    repo.extra_siblings[name] = b'{"pwned": true}'
    assert_error(pull(hub, cache, REPO), "unsafe")
    assert not [q for q in downloads(hub) if "evil" in q.path]
    assert not list(cache.parent.rglob("evil.json"))


def test_a_gguf_only_repo_needs_a_choice_and_lists_the_files(hub, gguf_repo, cache):
    assert_error(pull(hub, cache, GGUF_REPO), *GGUFS)
    assert not downloads(hub)


@pytest.mark.parametrize("ref,name", [
    (":q8_0", "tiny-q8_0.gguf"), (":Q8_0", "tiny-q8_0.gguf"),
    (":tiny-q4_0.gguf", "tiny-q4_0.gguf"), (":q4_k_m", "tiny-q4_k_m.gguf"),
    ("@%s:q4_K_M" % fake_commit(GGUF_REPO), "tiny-q4_k_m.gguf")])
def test_a_gguf_chosen_by_tag_or_name_is_the_only_download(hub, gguf_repo, cache, ref, name):
    r = pull(hub, cache, GGUF_REPO + ref)
    snapshot = assert_snapshot(cache, gguf_repo, {name})
    assert pulled_path(r) == snapshot / name
    assert len([q for q in hub.requests_to("/resolve/") if q.method == "GET"]) == 1


# ":q4" fits two files, ":q5_k" none: either way the error names the candidates.
@pytest.mark.parametrize("tag,named", [(":q4", GGUFS[1:]), (":q5_k", GGUFS)])
def test_a_gguf_tag_fitting_zero_or_several_files_names_them(hub, gguf_repo, cache, tag, named):
    assert_error(pull(hub, cache, GGUF_REPO + tag), *named)
    assert not downloads(hub)


def test_run_on_a_hub_ref_matches_run_on_the_local_checkpoint(hub, repo, cache, tiny_model):
    args = ("-p", PROMPT, "-n", "8", "-t", "2", "--temp", "0")
    local = subprocess.run([str(BIN), "run", tiny_model, *args], capture_output=True,
                           text=True, timeout=120)
    assert local.returncode == 0, local.stderr
    r = pull(hub, cache, REPO, *args, command="run")
    assert r.returncode == 0, r.stderr
    assert r.stdout == local.stdout  # the pulled path is not printed into the completion
    assert_snapshot(cache, repo, DEFAULT_FILES)
    hub.clear_log()
    r = pull(hub, cache, REPO, *args, command="run", env={"HF_HUB_OFFLINE": "1"})
    assert (r.returncode, r.stdout, hub.requests) == (0, local.stdout, [])


def test_bench_on_a_hub_ref(hub, repo, cache):
    r = pull(hub, cache, REPO, "-p", "4", "-n", "4", "-r", "1", command="bench")
    assert r.returncode == 0, r.stderr
    assert_snapshot(cache, repo, DEFAULT_FILES)


def test_an_unreachable_hub_falls_back_to_the_cached_snapshot(hub, repo, cache):
    first = pulled_path(pull(hub, cache, REPO))
    url = hub.url
    hub.url = "http://127.0.0.1:9"  # the discard port: nothing listens there
    try:
        r = pull(hub, cache, REPO)
        assert pulled_path(r) == first
        assert "warning:" in r.stderr and "cached snapshot" in r.stderr, r.stderr
        assert_error(pull(hub, cache, "test-org/never-pulled"), "cannot reach")
    finally:
        hub.url = url


def test_a_cache_that_cannot_be_written_is_a_clear_error(hub, repo, cache):
    blocker = cache.parent / "not-a-folder"
    blocker.write_text("a file where the cache's parent folder should be")
    r = pull(hub, cache, REPO, env={"HF_HUB_CACHE": str(blocker / "hub")})
    assert_error(r, "the hub cache", str(blocker / "hub"))
    assert "internal error" not in r.stderr
