"""Command line: ``harmonia-evaluate estimate ...`` and ``harmonia-evaluate power ...``.

Bad input ends with a one-line message on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from collections.abc import Sequence

import numpy as np

from . import power as pw
from .adjust import METHODS as ADJUST_METHODS
from .api import METHOD_NAMES, METHODS, SE_TYPES, estimate
from .data import read_csv
from .errors import EvaluationError
from .i18n import language
from .propensity import MATCH_ORDERS, MATCH_RULES
from .results import EvaluationFamily, EvaluationResult, PowerResult, to_jsonable

PROG = "harmonia-evaluate"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2
        raise EvaluationError(f"{message} (see {self.prog} --help)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="Estimate programme impacts from a CSV file, or plan a study's power.",
    )
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    sub.required = True
    e = sub.add_parser("estimate", help="estimate an effect from DATA.csv")
    e.add_argument("data", metavar="DATA.csv")
    e.add_argument("--method", required=True, choices=METHODS)
    e.add_argument("--outcome", required=True, help="outcome column, or several: a,b,c")
    e.add_argument("--treatment", help="column whose effect is reported")
    e.add_argument("--covariates", help="comma-separated covariate columns")
    e.add_argument(
        "--se", choices=SE_TYPES, help="standard errors (default: classical; twfe: cluster)"
    )
    e.add_argument("--cluster", help="cluster column for --se cluster")
    e.add_argument("--post", help="0/1 post-period column (did)")
    e.add_argument("--unit", help="unit column (twfe)")
    e.add_argument("--time", help="time column (twfe)")
    e.add_argument("--group", help="group column for the random intercept (multilevel)")
    e.add_argument("--reference", help="reference level of a categorical treatment")
    e.add_argument("--adjust", choices=ADJUST_METHODS, help="multiple-testing adjustment")
    e.add_argument("--alpha", type=float, default=0.05, help="1 - confidence level (0.05)")
    e.add_argument("--caliper", type=float, help="matching caliper, in SDs of the propensity score")
    e.add_argument("--match-order", choices=MATCH_ORDERS, default="largest")
    e.add_argument("--match-rule", choices=MATCH_RULES, default="matchit")
    e.add_argument("--replace", action="store_true", help="match with replacement")
    e.add_argument("--seed", type=int, default=0, help="seed for --match-order random")
    e.add_argument("--json", action="store_true", help="print JSON instead of a table")
    e.add_argument("--report", metavar="OUT.html|OUT.pdf", help="write a report")
    e.add_argument("--title", help="report title")
    e.add_argument(
        "--lang",
        choices=("en", "es"),
        default="en",
        help="language of the report: en (English, the default) or es (Spanish)",
    )
    e.add_argument("--question", help="the evaluation question, in plain words")
    e.add_argument("--population", default="participants", help="who was studied, e.g. pupils")
    e.add_argument(
        "--treated-label",
        help='plain-words name of the treated group, e.g. "in In Harmony schools"',
    )
    e.add_argument("--comparison-label", help='e.g. "pupils in other schools"')
    p = sub.add_parser("power", help="minimum detectable effect size and sample size")
    p.add_argument("--design", choices=("cluster", "individual"), default=None)
    p.add_argument("--clusters", type=int, help="number of clusters (schools), J")
    p.add_argument("--cluster-size", type=float, help="participants per cluster, n")
    p.add_argument("--icc", type=float, help="intraclass correlation, rho")
    p.add_argument("--n", type=int, help="participants (individual design)")
    p.add_argument("--r2-level1", "--r2", type=float, default=0.0, dest="r2_level1")
    p.add_argument("--r2-level2", type=float, default=0.0)
    p.add_argument("--covariates", type=int, default=0, help="number of (level-2) covariates")
    p.add_argument("--alpha", type=float, default=0.05)
    p.add_argument("--power", type=float, default=0.80)
    p.add_argument("--treated", type=float, default=0.5, help="proportion assigned to treatment")
    p.add_argument("--one-tailed", action="store_true")
    p.add_argument("--target-effect", type=float, help="effect (SD) to detect: solve for size")
    p.add_argument("--json", action="store_true")
    return parser


def _fmt(x: float | None, digits: int = 3) -> str:
    if x is None or not np.isfinite(x):
        return "-"
    ax = abs(x)
    if ax != 0 and (ax >= 1e6 or ax < 10 ** (-digits)):
        return f"{x:.{digits}g}"
    return f"{x:,.{digits}f}" if ax < 1000 else f"{x:,.2f}"


def _fmt_p(p: float | None) -> str:
    if p is None or not np.isfinite(p):
        return "-"
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def format_result(r: EvaluationResult, adjust: str | None) -> str:
    lines = [
        f"{METHOD_NAMES[r.method]} - outcome {r.outcome!r}"
        + (f", treatment {r.treatment!r} ({r.treatment_type}" if r.treatment else "")
        + (
            f", reference {r.reference!r})"
            if r.reference and r.treatment_type == "categorical"
            else (")" if r.treatment else "")
        ),
        f"Rows: {r.exclusions.n_read} read, {r.n} used, {r.n_dropped} excluded",
    ]
    lines += [f"  {reason}" for reason in r.exclusions.reasons]
    conf = int(round((1 - r.alpha) * 100))
    lines.append(
        f"Standard errors: {r.se_type}" + (f" ({r.n_clusters} clusters)" if r.n_clusters else "")
    )
    head = ["term", "estimate", "std.error", f"{conf}% CI", "p-value", "effect (SD)"]
    if adjust:
        head.insert(5, f"p ({adjust})")
    rows = []
    for e in r.estimates:
        row = [
            e.term,
            _fmt(e.estimate, 4),
            _fmt(e.std_error, 4),
            f"[{_fmt(e.ci_low)}, {_fmt(e.ci_high)}]",
            _fmt_p(e.p_value),
            _fmt(e.std_estimate, 3),
        ]
        if adjust:
            row.insert(5, _fmt_p(e.p_adjusted))
        rows.append(row)
    widths = [max(len(h), *(len(r_[i]) for r_ in rows)) for i, h in enumerate(head)]
    lines.append("")
    lines.append(
        "  ".join(
            h.ljust(w) if i == 0 else h.rjust(w)
            for i, (h, w) in enumerate(zip(head, widths, strict=True))
        )
    )
    lines.append("  ".join("-" * w for w in widths))
    for row in rows:
        lines.append(
            "  ".join(
                c.ljust(w) if i == 0 else c.rjust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )
    for g in r.effect_sizes:
        lines.append(f"Hedges' g ({g.term}): {g.hedges_g:.3f} [{g.ci_low:.3f}, {g.ci_high:.3f}]")
    for w in r.welch:
        lines.append(
            f"Welch SE ({w.term}): {_fmt(w.std_error, 4)} on {w.df:.1f} df, p = {_fmt_p(w.p_value)}"
        )
    if r.variance_components:
        vc = r.variance_components
        lines.append(
            f"Variance components: {r.group} {_fmt(vc.group, 4)}, residual {_fmt(vc.residual, 4)}; "
            f"ICC {r.icc:.3f} ({r.n_clusters} groups)"
        )
    if r.matching:
        m = r.matching
        lines.append(
            f"Matched {m.n_matched_treated} of {m.n_treated} treated units to "
            f"{m.n_controls_used} controls (order {m.order}, rule {m.rule}"
            + (f", caliper {m.caliper} SD" if m.caliper else "")
            + ")"
        )
    if r.weighting:
        w = r.weighting
        lines.append(
            f"Effective number of comparison units after weighting: {w.effective_n_control:.1f}"
        )
    if r.balance:
        lines.append("")
        lines.append(f"{'covariate':<22}{'SMD before':>12}{'SMD after':>12}")
        for b in r.balance:
            lines.append(f"{b.covariate[:22]:<22}{_fmt(b.smd_before):>12}{_fmt(b.smd_after):>12}")
    if r.cell_means:
        lines.append("")
        for c in r.cell_means:
            lines.append(
                f"  mean {c['group']:<10} {c['period']:<6} {_fmt(c['mean'], 4):>12}  (n={c['n']})"
            )
    for w in r.warnings:
        lines.append(f"Note: {w}")
    return "\n".join(lines)


def format_family(f: EvaluationFamily) -> str:
    parts = [format_result(a, f.adjust) for a in f.analyses]
    if f.adjust and len(f.estimates) > 1:
        name = {
            "holm": "Holm (family-wise error)",
            "bh": "Benjamini-Hochberg (false discovery rate)",
        }
        parts.append(f"p-values adjusted across {len(f.estimates)} estimates by {name[f.adjust]}.")
    return "\n\n".join(parts)


def format_power(r: PowerResult) -> str:
    tail = "two-tailed" if r.two_tailed else "one-tailed"
    kind = (
        "cluster-randomised (treatment at level 2)"
        if r.design == "cluster"
        else "individually randomised"
    )
    lines = [f"Design: {kind}"]
    if r.design == "cluster":
        lines.append(
            f"{r.clusters} clusters of {r.cluster_size:g}, ICC {r.icc:g}, "
            f"R2 level 1 {r.r2_level1:g}, R2 level 2 {r.r2_level2:g}, "
            f"{r.covariates} level-2 covariate(s)"
        )
    else:
        lines.append(f"{r.n} participants, R2 {r.r2_level1:g}, {r.covariates} covariate(s)")
    lines.append(
        f"alpha {r.alpha:g} ({tail}), power {r.power:g}, proportion treated {r.treated_share:g}"
    )
    lines.append(
        f"Multiplier M = {r.multiplier:.4f} (t on {r.df:g} df); SE = {r.standard_error:.4f} SD"
    )
    lines.append(f"MDES = {r.mdes:.3f} standard deviations")
    if r.needed is not None:
        lines.append(f"To detect {r.target_effect:g} SD: {r.needed} {r.needed_unit}")
    lines.append(f"Formula: {r.formula}")
    return "\n".join(lines)


def _power(args) -> PowerResult:
    design = args.design or ("cluster" if args.icc is not None or args.clusters else "individual")
    common = dict(
        alpha=args.alpha, power=args.power, treated=args.treated, two_tailed=not args.one_tailed
    )
    if design == "cluster":
        if args.cluster_size is None or args.icc is None:
            raise EvaluationError("a cluster design needs --cluster-size and --icc")
        kw = dict(
            r2_level1=args.r2_level1, r2_level2=args.r2_level2, covariates=args.covariates, **common
        )
        if args.target_effect is not None:
            res = pw.clusters_needed(args.target_effect, args.cluster_size, args.icc, **kw)
            if args.clusters:
                base = pw.mdes_cluster(args.clusters, args.cluster_size, args.icc, **kw)
                base.target_effect, base.needed, base.needed_unit = (
                    res.target_effect,
                    res.needed,
                    res.needed_unit,
                )
                return base
            return res
        if not args.clusters:
            raise EvaluationError(
                "give --clusters for the MDES, or --target-effect for the size needed"
            )
        return pw.mdes_cluster(args.clusters, args.cluster_size, args.icc, **kw)
    kw = dict(r2=args.r2_level1, covariates=args.covariates, **common)
    if args.target_effect is not None:
        res = pw.sample_needed(args.target_effect, **kw)
        if args.n:
            base = pw.mdes_individual(args.n, **kw)
            base.target_effect, base.needed, base.needed_unit = (
                res.target_effect,
                res.needed,
                res.needed_unit,
            )
            return base
        return res
    if not args.n:
        raise EvaluationError("an individual design needs --n (or --target-effect)")
    return pw.mdes_individual(args.n, **kw)


def _estimate(args, argv: Sequence[str]) -> int:
    df, digest = read_csv(args.data)
    family = estimate(
        df,
        method=args.method,
        outcome=args.outcome,
        treatment=args.treatment,
        covariates=args.covariates,
        se=args.se,
        cluster=args.cluster,
        post=args.post,
        unit=args.unit,
        time=args.time,
        group=args.group,
        reference=args.reference,
        adjust=args.adjust,
        alpha=args.alpha,
        caliper=args.caliper,
        order=args.match_order,
        replace=args.replace,
        seed=args.seed,
        match_rule=args.match_rule,
    )
    report_path = None
    if args.report:
        from .report import ReportContext, write_report

        ctx = ReportContext(
            command=" ".join(shlex.quote(a) for a in [PROG, *argv]),
            data_path=str(args.data),
            sha256=digest,
            n_rows=len(df),
            title=args.title,
            question=args.question,
            population=args.population,
            treated_label=args.treated_label,
            comparison_label=args.comparison_label,
        )
        report_path = write_report(args.report, family, ctx, df, args.lang)
    if args.json:
        out = to_jsonable(family)
        out["data_sha256"] = digest
        if report_path:
            out["report"] = str(report_path)
        print(json.dumps(out, indent=2, allow_nan=False))
    else:
        print(format_family(family))
        print(f"\nData: {args.data} (SHA-256 {digest})")
        if report_path:
            print(f"Report written to {report_path}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = build_parser().parse_args(argv)
        if args.command == "power":
            res = _power(args)
            if args.json:
                print(json.dumps(to_jsonable(res), indent=2, allow_nan=False))
            else:
                print(format_power(res))
            return 0
        # Messages the engine writes (warnings, exclusions) follow the report's language.
        with language(args.lang):
            return _estimate(args, argv)
    except EvaluationError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    except SystemExit as exc:  # --help
        return int(exc.code or 0)
    except np.linalg.LinAlgError as exc:
        print(
            f"{PROG}: error: numerical failure ({exc}); check for collinear columns",
            file=sys.stderr,
        )
        return 2
