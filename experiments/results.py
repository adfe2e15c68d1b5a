"""`sovai results DIR`: summarise a results folder, or query it with DuckDB SQL and export.

Views: ``runs`` (one row per run: run_id, status, error, design_point, replication, seed, parameter
columns ``section__field``, summary metrics) and ``timeseries`` (run_id, year, quarter, metric columns).
:func:`query` is the library entry; SQL problems raise :class:`SqlError` with a one-line message.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Optional

import pandas as pd
import typer
from rich.table import Table
from rich.text import Text

from abm.errors import UserError
from experiments.store import StoreError, connect, read_manifest

HEADLINE = ["deficit_2030_jpy_tn", "deficit_2035_jpy_tn", "deficit_2040_jpy_tn", "adoption_rate_2040",
            "talent_retention_rate_2040", "sovereignty_index_2040", "investment_total_jpy_tn",
            "outcomes_cum_jpy_tn", "npv_jpy_tn", "payback_year"]
EXPORT_FORMATS = {".csv": "FORMAT CSV, HEADER", ".parquet": "FORMAT PARQUET"}


class SqlError(UserError):
    """A DuckDB error on a user query; ``str(err)`` is one line."""


def _one_line(err: Exception) -> str:
    lines = [ln.strip() for ln in str(err).splitlines() if ln.strip()]
    extra = [ln for ln in lines[1:] if ln.startswith(("Candidate", "Did you mean"))]
    return "; ".join(lines[:1] + extra[:1])


def check_select(sql: str, what: str = "SQL") -> None:
    """SqlError unless ``sql`` is exactly one SELECT statement (a query never writes or runs a second command)."""
    import duckdb

    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as e:
        raise SqlError(f"{what}: {_one_line(e)}") from None
    if len(statements) != 1 or statements[0].type != duckdb.StatementType.SELECT:
        kinds = ", ".join(st.type.name for st in statements) or "nothing"
        raise SqlError(f"{what}: give exactly one SELECT statement (got {kinds})")


def query(root: Path, sql: str) -> pd.DataFrame:
    """Run one SELECT ``sql`` over the folder's views and return the result; SqlError if DuckDB rejects it."""
    import duckdb

    check_select(sql)
    con = connect(root)
    try:
        return con.execute(sql).df()
    except duckdb.Error as e:
        raise SqlError(f"SQL: {_one_line(e)}") from None


def export(root: Path, sql: str, path: Path) -> int:
    """Write the result of ``sql`` to ``path`` (.csv, .parquet or .xlsx) atomically; return the row count."""
    import duckdb

    if path.suffix.lower() == ".xlsx":
        from experiments.excel import write_xlsx
        from experiments.provenance import stamp

        check_select(sql)
        m, df = read_manifest(root), query(root, sql)
        write_xlsx(path, {"runs": df}, stamp(m.get("name"), m.get("description"), f"master {m.get('master_seed')}"))
        return len(df)
    fmt = EXPORT_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise StoreError(f"--export: {path.name}: use a .csv, .parquet or .xlsx file name")
    check_select(sql)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    con = connect(root)
    try:
        con.execute(f"COPY ({sql.rstrip().rstrip(';')}) TO '{str(tmp).replace(chr(39), chr(39) * 2)}' ({fmt})")
        n = con.execute(f"SELECT count(*) FROM ({sql.rstrip().rstrip(';')})").fetchone()[0]
    except duckdb.Error as e:
        tmp.unlink(missing_ok=True)
        raise SqlError(f"SQL: {_one_line(e)}") from None
    os.replace(tmp, path)
    return int(n)


def summary(root: Path) -> dict:
    """Counts, parameter ranges and the distribution of headline metrics over ok runs."""
    m = read_manifest(root)
    con = connect(root)
    cols = {r[0] for r in con.execute("SELECT column_name FROM (DESCRIBE runs)").fetchall()}
    counts = dict(con.execute("SELECT status, count(*) FROM runs GROUP BY status").fetchall())
    stats = []
    for name in [c for c in HEADLINE if c in cols]:
        row = con.execute(f"""SELECT count("{name}"), avg("{name}"), quantile_cont("{name}", 0.05),
            median("{name}"), quantile_cont("{name}", 0.95) FROM runs WHERE status = 'ok'""").fetchone()
        if row[0]:
            stats.append({"metric": name, "n": row[0], "mean": row[1], "p5": row[2], "median": row[3], "p95": row[4]})
    params = []
    for c in [c for c in m.get("parameter_columns", []) if c in cols]:
        values = [r[0] for r in con.execute(f'SELECT DISTINCT "{c}" FROM runs ORDER BY 1 LIMIT 7').fetchall()]
        if values != [None]:
            shown = ", ".join(f"{v:.4g}" if isinstance(v, float) else str(v) for v in values[:6])
            shown += ", ..." if len(values) > 6 else ""
            params.append({"parameter": c, "values": shown})
    return {"manifest": m, "ok": counts.get("ok", 0), "failed": counts.get("failed", 0), "metrics": stats,
            "parameters": params}


def _export_path(raw: str, force: bool) -> Path:
    """The ``--export`` file (.csv, .parquet or .xlsx): see :func:`experiments.outdir.export_file`."""
    from experiments.outdir import export_file

    return export_file(raw, force, (*EXPORT_FORMATS, ".xlsx"))


def _table(df: pd.DataFrame, title: str = "") -> Table:
    t = Table(title=title or None, title_justify="left")
    for c in df.columns:
        t.add_column(str(c), justify="right" if pd.api.types.is_numeric_dtype(df[c]) else "left")
    for row in df.itertuples(index=False):
        t.add_row(*(Text("" if v is None or (isinstance(v, float) and pd.isna(v)) else
                         f"{v:.4g}" if isinstance(v, float) else str(v)) for v in row))
    return t


def register(app) -> None:
    """Add ``sovai results`` to the Typer app."""
    from experiments.report import labelled
    from experiments.run_cli import console, fail

    @app.command()
    def results(
        folder: Annotated[Path, typer.Argument(help="results folder of a sweep")],
        sql: Annotated[Optional[str], typer.Option(help="DuckDB SQL over views `runs` and `timeseries`")] = None,
        export_to: Annotated[Optional[str], typer.Option("--export", help="write the query result "
                                                         "(default: the runs table) to .csv, .parquet or .xlsx")] = None,
        force: Annotated[bool, typer.Option("--force", help="replace an existing --export file")] = False,
        limit: Annotated[int, typer.Option(help="rows to print", min=1)] = 50,
    ):
        """Summarise a results folder, or run SQL on it (`--sql`), optionally exporting (`--export`)."""
        import duckdb

        try:
            if export_to is not None:
                export_to = _export_path(export_to, force)
                n = export(folder, "SELECT * FROM runs ORDER BY design_point, replication" if sql is None else sql,
                           export_to)
                console.print(f"{n} rows -> {export_to}", highlight=False, markup=False)
                return
            if sql is not None:
                df = query(folder, sql)
                console.print(_table(df.head(limit)))
                console.print(f"{len(df)} rows" + (f" (first {limit} shown)" if len(df) > limit else ""))
                return
            s = summary(folder)
        except (SqlError, StoreError, UserError) as e:
            fail(str(e))
        except duckdb.Error as e:  # e.g. a damaged chunk file
            fail(f"FOLDER: cannot read the results in {folder}: {_one_line(e)}")
        m = s["manifest"]
        console.print(f"{m['name']}: design {m['design']}, {m['replications']} replication(s), "
                      f"master seed {m['master_seed']}, model {m['model_version']}", highlight=False, markup=False)
        console.print(f"runs: {m['planned_runs']} planned, {s['ok']} ok, {s['failed']} failed, "
                      f"{m['planned_runs'] - s['ok'] - s['failed']} missing", highlight=False, markup=False)
        if s["parameters"]:  # by their labels (the runs table and --sql keep the column names)
            console.print(_table(labelled(pd.DataFrame(s["parameters"]), ("parameter",)), "Parameters"))
        if s["metrics"]:
            console.print(_table(labelled(pd.DataFrame(s["metrics"]), ("metric",)), "Summary metrics over ok runs"))
        if s["failed"]:
            from experiments.sweep import report_failures

            report_failures(folder)
