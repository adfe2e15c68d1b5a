"""Did a refactor change any result? Hashes of ``sovai run`` outputs for the four role-division presets, seeds 1-3.

    python -m experiments.same_outputs --save outputs/same-outputs.json    # before the change
    python -m experiments.same_outputs --check outputs/same-outputs.json   # after: exit 1 if any file differs

Each run goes through the public command (``sovai run --scenario P --seed S --out DIR``), so the check holds
whatever moves inside the package. ``summary.json`` is compared byte for byte; ``timeseries.parquet`` by its
table (schema and every value, bit for bit), without the file's provenance stamp (date, commit), which differs
by design between two runs.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

PRESETS = ("gov-led", "private-led", "foreign-dependent", "full-state")
SEEDS = (1, 2, 3)
FILES = ("timeseries.parquet", "summary.json")


def _run(preset: str, seed: int, root: Path) -> dict[str, str]:
    out = root / f"{preset}-seed{seed}"
    sovai = Path(sys.executable).with_name("sovai")
    subprocess.run([str(sovai), "run", "--scenario", preset, "--seed", str(seed), "--out", str(out), "--quiet"],
                   check=True, capture_output=True)
    return {f: _digest(out / f) for f in FILES}


def _digest(path: Path) -> str:
    """sha256 of a file's bytes; of a Parquet file's table without its schema metadata (the provenance stamp)."""
    if path.suffix != ".parquet":
        return hashlib.sha256(path.read_bytes()).hexdigest()
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pq.read_table(path).replace_schema_metadata(None)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return hashlib.sha256(sink.getvalue().to_pybytes()).hexdigest()


def hashes(workers: int = 2) -> dict[str, dict[str, str]]:
    """``{"preset-seedN": {file: sha256}}`` for every preset and seed, from fresh runs."""
    with tempfile.TemporaryDirectory() as tmp, ThreadPoolExecutor(workers) as pool:
        jobs = {f"{p}-seed{s}": pool.submit(_run, p, s, Path(tmp)) for p in PRESETS for s in SEEDS}
        return {key: job.result() for key, job in jobs.items()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--save", type=Path, help="write the hashes of fresh runs here")
    mode.add_argument("--check", type=Path, help="compare fresh runs with hashes saved here")
    args = ap.parse_args(argv)
    now = hashes()
    if args.save:
        args.save.parent.mkdir(parents=True, exist_ok=True)
        args.save.write_text(json.dumps(now, indent=1, sort_keys=True))
        print(f"saved {len(now)} runs x {len(FILES)} files to {args.save}")
        return 0
    before = json.loads(args.check.read_text())
    differ = [(k, f) for k in sorted(before) for f in FILES if now.get(k, {}).get(f) != before[k][f]]
    for key, f in differ:
        print(f"DIFFERS {key}/{f}")
    print(f"{len(before) * len(FILES) - len(differ)} of {len(before) * len(FILES)} files byte-identical")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
