#!/usr/bin/env python3
"""Execute the course notebooks top to bottom through the real tslab kernel.

Usage (normally through `npm run notebooks -- [args]`, which picks a python that has Jupyter):

    python3 scripts/run_notebooks.py [--quick] [--out DIR] [--timeout S] [-v] [NOTEBOOK|GLOB ...]

Why not `jupyter nbconvert --execute`: after a failing cell tslab aborts every request that
arrives within the next 200 ms, so nbconvert with --allow-errors silently skips the rest of
the notebook, and an error reply carries no message.  This runner stops at the first cell
whose reply is not 'ok', names that cell, and shows the error text from the cell's outputs
and from the kernel process's own stderr (captured to a log file).

Exit status: 0 if every notebook passed, 1 if any failed (or its kernel did not start),
2 for usage errors or a missing Jupyter installation.
"""

import argparse
import html
import glob
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NOTEBOOK_DIR = os.path.join(ROOT, "notebooks")
DEFAULT_GLOB = "[0-9][0-9]-*.ipynb"
DEFAULT_OUT = os.path.join(ROOT, "build", "executed")
KERNEL_PREFIX = os.path.join(ROOT, "build", "jupyter")
KERNEL_NAME = "tslab"
TSLAB_BIN = os.path.join(ROOT, "node_modules", ".bin", "tslab")

INSTALL_HINT = """\
Install Jupyter's notebook runner for this python ({python}), for example:
  Debian/Ubuntu:  sudo apt-get install jupyter-notebook python3-nbclient python3-nbconvert \\
                      jupyter-nbconvert python3-ipykernel jupyter-client
  pip:            python3 -m pip install --user notebook nbclient
  conda:          conda install -c conda-forge notebook nbclient
If Jupyter is installed for another python (often /usr/bin/python3 when a pyenv or venv
python comes first on PATH), run this script with that one; `npm run notebooks` finds it."""


def fail_setup(message):
    print("run_notebooks: " + message, file=sys.stderr)
    sys.exit(2)


try:
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
except ImportError as exc:
    fail_setup("cannot import %s.\n%s" % (exc.name or exc, INSTALL_HINT.format(python=sys.executable)))


# --------------------------------------------------------------------------------------------
# Kernel registration in a private prefix, so a run needs nothing installed globally and
# cannot pick up a stale `tslab` kernel registered by another checkout.


def kernel_spec_path():
    return os.path.join(KERNEL_PREFIX, "share", "jupyter", "kernels", KERNEL_NAME, "kernel.json")


def kernel_spec_is_current():
    try:
        with open(kernel_spec_path(), encoding="utf-8") as f:
            argv = json.load(f).get("argv", [])
    except (OSError, ValueError):
        return False
    return len(argv) >= 2 and argv[0] == TSLAB_BIN and argv[1] == "kernel"


def register_kernel():
    if not os.path.exists(TSLAB_BIN):
        fail_setup("%s does not exist: run `npm install` in %s first." % (TSLAB_BIN, ROOT))
    if kernel_spec_is_current():
        return
    cmd = [TSLAB_BIN, "install", "--python=" + sys.executable, "--binary=" + TSLAB_BIN,
           "--prefix=" + KERNEL_PREFIX]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if proc.returncode == 0 and kernel_spec_is_current():
        print("run_notebooks: registered the tslab kernel in %s" % os.path.relpath(KERNEL_PREFIX, ROOT))
        return
    # tslab's installer imports IPython, which a minimal nbclient install may lack. The spec
    # it would write is this one JSON file, so write it directly rather than give up.
    os.makedirs(os.path.dirname(kernel_spec_path()), exist_ok=True)
    spec = {"argv": [TSLAB_BIN, "kernel", "--config-path", "{connection_file}"],
            "display_name": "TypeScript", "language": "typescript"}
    with open(kernel_spec_path(), "w", encoding="utf-8") as f:
        json.dump(spec, f, sort_keys=True)
    print("run_notebooks: `tslab install` failed (%s); wrote %s directly"
          % (proc.stdout.strip().splitlines()[-1:] or "no output", os.path.relpath(kernel_spec_path(), ROOT)))


# --------------------------------------------------------------------------------------------
# Peak memory of the kernel and everything it starts (tfjs-node, worker processes, ...).


def _children_map():
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry, "rb") as f:
                stat = f.read().decode("ascii", "replace")
        except OSError:
            continue  # the process ended while we were looking
        # The command name (field 2) may contain spaces and parentheses: split after the last ')'.
        fields = stat[stat.rfind(")") + 2:].split()
        if len(fields) > 1:
            children.setdefault(int(fields[1]), []).append(int(entry))
    return children


def _rss_kb(pid):
    try:
        with open("/proc/%d/status" % pid, encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


class MemorySampler(threading.Thread):
    """Samples the summed VmRSS of a process tree every `interval` seconds; Linux only."""

    def __init__(self, pid, interval=0.2):
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.peak_kb = 0
        self.available = os.path.isdir("/proc/%d" % pid)
        self._halt = threading.Event()

    def sample(self):
        children = _children_map()
        total, todo, seen = 0, [self.pid], set()
        while todo:
            pid = todo.pop()
            if pid in seen:
                continue
            seen.add(pid)
            total += _rss_kb(pid)
            todo.extend(children.get(pid, []))
        self.peak_kb = max(self.peak_kb, total)

    def run(self):
        while not self._halt.is_set():
            self.sample()
            self._halt.wait(self.interval)

    def stop(self):
        if self.is_alive():
            self.sample()  # one last sample so very short runs are not reported as 0
            self._halt.set()
            self.join()

    @property
    def peak_mb(self):
        return round(self.peak_kb / 1024.0, 1) if self.available else None


# --------------------------------------------------------------------------------------------
# Never leave a kernel behind. tslab ignores SIGTERM while a cell runs, so a runner stopped by
# `timeout`, Ctrl-C or a dying parent used to leave its kernel computing at full CPU for as long
# as the notebook would have run. Every exit path goes through shutdown_live_kernels().

LIVE_KERNELS = set()
_shutting_down = threading.Lock()


def _process_tree(pid):
    children = _children_map()
    tree, todo = [], [pid]
    while todo:
        p = todo.pop()
        if p in tree:
            continue
        tree.append(p)
        todo.extend(children.get(p, []))
    return tree


def _alive(pid):
    try:
        with open("/proc/%d/stat" % pid, "rb") as f:
            state = f.read().decode("ascii", "replace")
        return state[state.rfind(")") + 2:][:1] not in ("Z", "X")  # zombies are gone for our purpose
    except OSError:
        return False


def shutdown_live_kernels(grace_s=3.0):
    """SIGTERM every live kernel's process tree, then SIGKILL whatever is left after grace_s."""
    pids = []
    for pid in list(LIVE_KERNELS):
        pids.extend(_process_tree(pid))
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in pids:
            try:
                os.kill(pid, sig)
            except OSError:
                pass
        deadline = time.monotonic() + (grace_s if sig == signal.SIGTERM else 2.0)
        while time.monotonic() < deadline and any(_alive(p) for p in pids):
            time.sleep(0.05)
        if not any(_alive(p) for p in pids):
            break
    LIVE_KERNELS.clear()


def _stop(reason, status):
    if not _shutting_down.acquire(blocking=False):
        return  # another path is already shutting down
    print("\nrun_notebooks: %s: shutting down the kernel%s" % (reason, "s" if len(LIVE_KERNELS) > 1 else ""),
          file=sys.stderr, flush=True)
    shutdown_live_kernels()
    os._exit(status)


def install_exit_guards():
    def on_signal(signum, _frame):
        _stop("stopped by %s" % signal.Signals(signum).name, 128 + signum)

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, on_signal)
    parent = os.getppid()

    def watch_parent():
        # A parent killed outright (SIGKILL) sends us nothing: notice that we were re-parented.
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                _stop("the process that started the runner has gone", 1)

    threading.Thread(target=watch_parent, daemon=True).start()


def kernel_exit_code(km):
    provisioner = getattr(km, "provisioner", None)
    process = getattr(provisioner, "process", None) or getattr(km, "kernel", None)
    try:
        return process.poll() if process is not None else None
    except Exception:  # noqa: BLE001 - only used to enrich a message
        return None


def kernel_pid(km):
    provisioner = getattr(km, "provisioner", None)  # jupyter_client >= 7
    process = getattr(provisioner, "process", None) or getattr(km, "kernel", None)
    return getattr(process, "pid", None)


# --------------------------------------------------------------------------------------------
# Error text


ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
# Stack frames of tslab's own executor and of node:vm say nothing about the notebook's code.
# The `evalmachine.<anonymous>:N` header gives a line of the compiled JavaScript, not of the cell.
NOISE_FRAME = re.compile(r"^evalmachine\.<anonymous>:\d+$|"
                         r"^\s+at .*(node_modules[/\\]tslab[/\\]|\(node:vm:|sigintHandlersWrap|"
                         r"node:internal/)")
# Printed by tslab's process-wide handlers into whichever cell is running at the time.
# Exercise solutions live in markdown <details> blocks so students reveal them with a click; the
# runner executes their fenced TypeScript too, right after the exercise, so solutions never rot.
SOLUTION_BLOCK = re.compile(r"<details>\s*<summary[^>]*>\s*<b>Solution</b>")
# The code is HTML (<pre><code class="language-typescript">, escaped) so that every front end and
# nbconvert show it inside <details>; a markdown fence is accepted too.
SOLUTION_CODE = re.compile(r'<pre><code class="language-(?:typescript|ts)">(.*?)</code></pre>|```(?:typescript|ts)\n(.*?)```', re.S)


def expand_solutions(nb):
    """Inserts a code cell after each solution block; returns {new index: index in the file}."""
    cells, source_index = [], {}
    for i, cell in enumerate(nb.cells):
        source_index[len(cells)] = i
        cells.append(cell)
        if (cell.cell_type == "markdown" and "<summary" in cell.source and "<b>Solution</b>" in cell.source
                and not SOLUTION_BLOCK.search(cell.source)):
            # A solution the runner cannot recognise would silently go untested.
            raise ValueError("markdown cells[%d] looks like an exercise solution but does not match "
                             "'<details><summary ...><b>Solution</b>': fix its markup so the runner executes it" % i)
        if cell.cell_type == "markdown" and SOLUTION_BLOCK.search(cell.source):
            for match in SOLUTION_CODE.finditer(cell.source):
                text = html.unescape(match.group(1)) if match.group(1) is not None else match.group(2)
                code = nbformat.v4.new_code_cell(text.rstrip())
                code.metadata["nn4astro"] = {"solution_in_markdown_cell": i}
                source_index[len(cells)] = i
                cells.append(code)
    nb.cells = cells
    return source_index


UNCAUGHT = re.compile(r"^(UncaughtException|UnhandledPromiseRejection):", re.M)
TS_DIAGNOSTIC = re.compile(r"^(?:\S+ )?(\d+):(\d+) - (.*)$")


def clean_text(text):
    lines = [line for line in ANSI.sub("", text).splitlines() if not NOISE_FRAME.match(line)]
    return "\n".join(lines).strip()


def outputs_text(cell):
    parts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream" and out.get("name") == "stderr":
            parts.append(out.get("text", ""))
        elif out.get("output_type") == "error":
            parts.append("%s: %s\n%s" % (out.get("ename", ""), out.get("evalue", ""),
                                         "\n".join(out.get("traceback", []))))
    return clean_text("".join(parts))


def explain_diagnostics(error_text, source):
    """tslab reports type errors as `line:col - message` relative to the cell; quote that line."""
    src_lines = source.splitlines()
    lines, previous = [], None
    for line in error_text.splitlines():
        m = TS_DIAGNOSTIC.match(line)
        if m and 0 < int(m.group(1)) <= len(src_lines):
            row, col = int(m.group(1)), int(m.group(2))
            if (row, col) == previous:  # the rest of a message chain: same place, more detail
                lines.append("  " + m.group(3))
                continue
            previous = (row, col)
            lines += ["TypeScript error at line %d, column %d: %s" % (row, col, m.group(3)),
                      "    " + src_lines[row - 1].rstrip(), "    " + " " * (col - 1) + "^"]
        else:
            lines.append(line)
    return "\n".join(lines)


def indent(text, prefix="    | ", max_lines=40):
    lines = text.splitlines() or [""]
    if len(lines) > max_lines:
        lines = lines[:max_lines] + ["... (%d more lines)" % (len(lines) - max_lines)]
    return "\n".join(prefix + line for line in lines)


def read_from(path, offset):
    try:
        with open(path, "rb") as f:
            f.seek(offset)
            return f.read().decode("utf-8", "replace")
    except OSError:
        return ""


# --------------------------------------------------------------------------------------------
# Running one notebook


def display_path(path):
    rel = os.path.relpath(path, os.getcwd())
    return path if rel.startswith("..") else rel


def run_notebook(path, args, out_dir):
    nb = nbformat.read(path, as_version=4)
    try:
        source_index = expand_solutions(nb)
    except ValueError as exc:
        print("FAILED %s: %s" % (display_path(path), exc), flush=True)
        return {"notebook": display_path(path), "mode": args.mode, "status": "failed", "code_cells": 0,
                "cells_passed": 0, "wall_s": None, "kernel_start_s": None, "peak_rss_mb": None,
                "cells": [], "failure": {"code_cell": None, "index": None, "status": "bad solution markup",
                                         "error": str(exc)}}
    code_cells = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    stem = os.path.splitext(os.path.basename(path))[0]
    out_path = os.path.join(out_dir, stem + ".ipynb")
    log_path = os.path.join(out_dir, stem + ".kernel.log")
    name = display_path(path)
    result = {
        "notebook": name, "mode": args.mode, "status": "failed", "code_cells": len(code_cells),
        "cells_passed": 0, "wall_s": None, "kernel_start_s": None, "peak_rss_mb": None,
        "executed_copy": display_path(out_path), "kernel_log": display_path(log_path),
        "cells": [{"code_cell": n + 1, "index": source_index[i], "status": "not run", "seconds": None,
                   "solution": "nn4astro" in nb.cells[i].metadata}
                  for n, i in enumerate(code_cells)],
        "failure": None,
    }
    print("== %s (%s mode, %d code cells)" % (name, args.mode, len(code_cells)), flush=True)

    replies = {}

    def on_cell_executed(cell, cell_index, execute_reply):
        replies[cell_index] = execute_reply
        # tslab sends no execute_input message, from which nbclient takes the count; the reply has it.
        count = execute_reply.get("content", {}).get("execution_count")
        if cell.get("execution_count") is None and isinstance(count, int):
            cell["execution_count"] = count

    env = dict(os.environ)
    env["NN4ASTRO_QUICK"] = "1" if args.quick else "0"
    # A failed lesson check (expectResult) fails the run here; interactively it only warns.
    env["NN4ASTRO_STRICT"] = "1"
    client = NotebookClient(
        nb, kernel_name=KERNEL_NAME, timeout=args.timeout, startup_timeout=args.startup_timeout,
        allow_errors=True,  # we judge each reply ourselves: nbclient ignores 'abort' replies
        record_timing=True, on_cell_executed=on_cell_executed,
        resources={"metadata": {"path": os.path.dirname(path)}},
    )
    started = time.monotonic()
    sampler = None
    with open(log_path, "wb") as log:
        try:
            try:
                context = client.setup_kernel(cwd=os.path.dirname(path), env=env, stdout=log, stderr=log)
                context.__enter__()
            except Exception as exc:  # noqa: BLE001 - any start-up problem is reported the same way
                log.flush()
                result["status"] = "kernel-error"
                result["failure"] = {"status": "kernel did not start", "error": "%s: %s" % (type(exc).__name__, exc)}
                print("FAILED to start the tslab kernel for %s: %s: %s\n  kernel log (%s):\n%s"
                      % (name, type(exc).__name__, exc, display_path(log_path),
                         indent(clean_text(read_from(log_path, 0)) or "(empty)")), flush=True)
                return result
            result["kernel_start_s"] = round(time.monotonic() - started, 2)
            pid = kernel_pid(client.km)
            if pid:
                LIVE_KERNELS.add(pid)
                sampler = MemorySampler(pid)
                sampler.start()
            try:
                if run_cells(client, nb, code_cells, replies, result, log, log_path, args):
                    result["status"] = "passed"
            finally:
                if sampler:
                    sampler.stop()
                context.__exit__(None, None, None)
                if pid:
                    if _alive(pid):  # a kernel that did not honour the shutdown request
                        shutdown_live_kernels()
                    LIVE_KERNELS.discard(pid)
        finally:
            result["wall_s"] = round(time.monotonic() - started, 2)
            result["peak_rss_mb"] = sampler.peak_mb if sampler else None
            nbformat.write(nb, out_path)
    if result["status"] == "passed":
        print("   passed: %d code cells in %.1f s, peak memory %s MB"
              % (len(code_cells), result["wall_s"], result["peak_rss_mb"]), flush=True)
    return result


# Tensors still allocated in tfjs's engine, read without loading tfjs (no side effects on backend
# choice). Read after the set-up cell and after the last cell: the difference is what the lesson
# left allocated (models, datasets kept on purpose, and leaks: a loop that forgets tf.tidy/dispose
# grows it by one tensor or more per iteration).
TENSOR_PROBE = ('{ const engine = (globalThis as any)._tfengine; console.log("nn4astro-tensors " + '
                'JSON.stringify(engine ? { numTensors: engine.state.numTensors, '
                'numBytes: engine.state.numBytes } : null)); }')
TENSOR_PROBE_OUT = re.compile(r"nn4astro-tensors (\{.*?\}|null)")
# A lesson may keep its models and data; more than this many tensors left at the end is a leak.
MAX_TENSOR_GROWTH = 2000


def probe_tensors(client, nb):
    cell = nbformat.v4.new_code_cell(TENSOR_PROBE)
    nb.cells.append(cell)
    try:
        client.execute_cell(cell, len(nb.cells) - 1, execution_count=None)
    except Exception:  # noqa: BLE001 - a probe must never fail a notebook by itself
        return None
    finally:
        nb.cells.pop()
    m = TENSOR_PROBE_OUT.search("".join(o.get("text", "") for o in cell.get("outputs", [])
                                        if o.get("output_type") == "stream"))
    return json.loads(m.group(1)) if m else None


def run_cells(client, nb, code_cells, replies, result, log, log_path, args):
    total = len(code_cells)
    for n, index in enumerate(code_cells):
        cell = nb.cells[index]
        record = result["cells"][n]
        log.flush()
        log_offset = os.path.getsize(log_path)
        t0 = time.monotonic()
        status, problem = "ok", None
        try:
            client.execute_cell(cell, index, execution_count=None)
            reply = replies.get(index)
            if reply is None and not cell.source.strip():
                status = "ok"  # nbclient does not send empty cells to the kernel
            else:
                status = (reply or {}).get("content", {}).get("status", "no reply")
            if status == "ok" and UNCAUGHT.search(outputs_text(cell)):
                # The reply is 'ok' because tslab's process-wide handler caught the error after
                # (or outside) the cell's own code; a notebook that throws like this is still broken.
                status = "uncaught exception"
                problem = ("an asynchronous error escaped (it may come from a timer or promise "
                           "started by an earlier cell)")
        except CellTimeoutError:
            status, problem = "timeout", "the cell did not finish within --timeout %s s" % args.timeout
            client.shutdown_kernel = "immediate"  # a polite shutdown would wait for the busy cell
        except DeadKernelError:
            code = kernel_exit_code(client.km)
            status = "kernel died"
            problem = ("the kernel process ended%s while running this cell (process.exit(), running out "
                       "of memory or a crash in native code)" % (" with exit code %s" % code if code is not None else ""))
            client.shutdown_kernel = "immediate"
        record["seconds"] = round(time.monotonic() - t0, 3)
        record["status"] = status
        if args.verbose:
            print("   code cell %d/%d: %s (%.2f s)" % (n + 1, total, status, record["seconds"]), flush=True)
        if status == "ok":
            result["cells_passed"] += 1
            if n == 0:
                result["tensors_after_setup"] = probe_tensors(client, nb)
            continue  # stop at the first failure: later cells depend on this one
        # Give the kernel a moment to finish writing an asynchronous error to its stderr.
        time.sleep(0.2)
        log.flush()
        kernel_err = clean_text(read_from(log_path, log_offset))
        report_failure(result, n, record["index"], total, cell, status, problem, kernel_err, args)
        return False
    end = probe_tensors(client, nb)
    start = result.get("tensors_after_setup") or {"numTensors": 0, "numBytes": 0}
    if end is not None:
        result["tensors_at_end"] = end
        result["tensor_growth"] = end["numTensors"] - start["numTensors"]
        result["tensor_mb_at_end"] = round(end["numBytes"] / 2**20, 1)
        if result["tensor_growth"] > MAX_TENSOR_GROWTH:
            result["failure"] = {
                "code_cell": None, "index": None, "status": "tensor leak",
                "error": "%d tensors (%.1f MB) were left allocated, more than the %d a lesson may keep"
                         % (result["tensor_growth"], result["tensor_mb_at_end"], MAX_TENSOR_GROWTH)}
            print("FAILED %s: %s. Wrap synchronous tensor work in tf.tidy(() => ...) and dispose() "
                  "what await model.fit/predict return once read." % (result["notebook"], result["failure"]["error"]),
                  flush=True)
            return False
    return True


def report_failure(result, n, index, total, cell, status, problem, kernel_err, args):
    cell_err = outputs_text(cell)
    if status in ("abort", "aborted") and not cell_err:
        problem = ("the kernel aborted this cell (tslab aborts requests for 200 ms after an error, "
                   "so an earlier asynchronous error is the likely cause)")
    source = cell.source.rstrip()
    head = "\n".join(source.splitlines()[:args.source_lines])
    error_parts = [p for p in (problem, explain_diagnostics(cell_err, source)) if p]
    if kernel_err:
        error_parts.append("kernel stderr:\n" + kernel_err)
    error_text = "\n".join(error_parts) or "(no error text: the kernel replied %r without a message)" % status
    result["failure"] = {"code_cell": n + 1, "index": index, "status": status,
                         "source_head": head, "error": error_text}
    more = len(source.splitlines()) - args.source_lines
    where = ("the solution in markdown cells[%d] in the file" % index) if "nn4astro" in cell.metadata \
        else "cells[%d] in the file" % index
    print("FAILED %s at code cell %d/%d (%s): reply status '%s'\n"
          "  source:\n%s%s\n  error:\n%s\n  executed copy: %s\n  kernel log: %s"
          % (result["notebook"], n + 1, total, where, status, indent(head),
             "\n    | ... (%d more lines)" % more if more > 0 else "",
             indent(error_text), result["executed_copy"], result["kernel_log"]), flush=True)


# --------------------------------------------------------------------------------------------
# Command line


def resolve_notebooks(patterns):
    if not patterns:
        return sorted(glob.glob(os.path.join(NOTEBOOK_DIR, DEFAULT_GLOB))), []
    found, missing = [], []
    for pattern in patterns:
        candidates = [pattern, os.path.join(NOTEBOOK_DIR, pattern)]
        if not pattern.endswith(".ipynb"):
            candidates += [c + ".ipynb" for c in candidates]
        matches = []
        for candidate in candidates:
            matches = sorted(p for p in glob.glob(candidate) if p.endswith(".ipynb") and os.path.isfile(p))
            if matches:
                break
        if matches:
            found.extend(os.path.abspath(m) for m in matches)
        else:
            missing.append(pattern)
    unique = []
    for path in found:
        if path not in unique:
            unique.append(path)
    return unique, missing


def print_table(results):
    header = ["notebook", "mode", "cells", "start (s)", "wall (s)", "peak MB", "tensors left", "status"]
    rows = []
    for r in results:
        status = r["status"]
        if r["failure"] and r["failure"].get("code_cell"):
            status = "FAILED at code cell %d (%s)" % (r["failure"]["code_cell"], r["failure"]["status"])
        elif status != "passed":
            status = status.upper()
        fmt = lambda v: "-" if v is None else str(v)  # noqa: E731
        rows.append([r["notebook"], r["mode"], "%d/%d" % (r["cells_passed"], r["code_cells"]),
                     fmt(r["kernel_start_s"]), fmt(r["wall_s"]), fmt(r["peak_rss_mb"]),
                     fmt(r.get("tensor_growth")), status])
    widths = [max(len(str(row[i])) for row in [header] + rows) for i in range(len(header))]
    line = lambda row: "  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip()  # noqa: E731
    print()
    print(line(header))
    print(line(["-" * w for w in widths]))
    for row in rows:
        print(line(row))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*",
                        help="notebook paths, names or globs (also looked up in notebooks/); "
                             "default: notebooks/" + DEFAULT_GLOB)
    parser.add_argument("--quick", action="store_true",
                        help="set NN4ASTRO_QUICK=1 in the kernel (small data, few epochs)")
    parser.add_argument("--out", default=DEFAULT_OUT,
                        help="folder for executed copies, kernel logs and summary.json (default: build/executed)")
    parser.add_argument("--timeout", type=int, default=600, help="seconds allowed per cell (default 600)")
    parser.add_argument("--startup-timeout", type=int, default=60,
                        help="seconds allowed for the kernel to start (default 60)")
    parser.add_argument("--source-lines", type=int, default=8,
                        help="lines of a failing cell's source to print (default 8)")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every cell's status and time")
    args = parser.parse_args()
    args.mode = "quick" if args.quick else "full"

    paths, missing = resolve_notebooks(args.notebooks)
    if missing:
        fail_setup("no notebook matches %s (looked in the current folder and in %s)"
                   % (", ".join(repr(m) for m in missing), display_path(NOTEBOOK_DIR)))
    if not paths:
        print("run_notebooks: no notebooks match notebooks/%s: nothing to run" % DEFAULT_GLOB)
        return 0

    install_exit_guards()
    register_kernel()
    # Our private prefix first, so it wins over any `tslab` kernel registered elsewhere.
    jupyter_path = os.path.join(KERNEL_PREFIX, "share", "jupyter")
    os.environ["JUPYTER_PATH"] = os.pathsep.join(p for p in [jupyter_path, os.environ.get("JUPYTER_PATH")] if p)

    out_dir = os.path.abspath(args.out)
    os.makedirs(out_dir, exist_ok=True)
    summary_path = os.path.join(out_dir, "summary.json")
    results = []
    for path in paths:
        results.append(run_notebook(path, args, out_dir))
        passed = sum(r["status"] == "passed" for r in results)
        # Rewritten after every notebook so an interrupted run still leaves a summary.
        with open(summary_path, "w", encoding="utf-8") as f:
            json.dump({"mode": args.mode, "python": sys.executable,
                       "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                       "passed": passed, "failed": len(results) - passed, "notebooks": results}, f, indent=2)
            f.write("\n")

    print_table(results)
    passed = sum(r["status"] == "passed" for r in results)
    print("\nsummary: %s" % display_path(summary_path))
    print("notebooks: %d passed, %d failed" % (passed, len(results) - passed))
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
