"""bench/results.md from the results: each figure, its target, and the machine it ran on."""

from __future__ import annotations


def _yes(met: bool) -> str:
    return "met" if met else "**missed**"


def markdown(results: dict) -> str:
    m = results["machine"]
    lines = [
        "# Benchmarks",
        "",
        f"Ran {m['date']} on {m['cpu'] or 'unknown CPU'}, {m['cores']} cores, Python {m['python']} ({m['system']}).",
        "Every figure is the median of several rounds; ratios pair an endpoint with its floor in the same round.",
        "Produced by `make bench` (bench/run.py); raw figures in bench/results.json.",
        "",
        "| what | figure | target | |",
        "|---|---|---|---|",
    ]
    engine = results.get("rule_engine")
    if engine:
        lines.append(
            f"| rule engine, one core | {engine['decisions_per_second']:,} decisions/s | ≥ 20,000 | {_yes(engine['met'])} |"
        )
    for key, title in (
        ("screening_endpoint", "POST /api/v1/screenings"),
        ("inbound_webhook", "signed Cal.com webhook"),
    ):
        row = results.get(key)
        if row and row.get("failures"):
            lines.append(f"| {title} | **invalid: {row['failures']} answers were not 2xx** | | |")
        elif row:
            t = row["targets"]
            lines.append(
                f"| {title}: throughput / floor | {row['ratio_to_floor']:.2f} "
                f"({row['endpoint_rps']:.0f} vs {row['floor_rps']:.0f} req/s) | ≥ {t['ratio_to_floor']} | "
                f"{_yes(row['ratio_to_floor'] >= t['ratio_to_floor'])} |"
            )
            lines.append(
                f"| {title}: p99 at half the saturating rate | {row['p99_ms_at_half_rate']:.1f} ms | "
                f"≤ {t['p99_ms_at_half_rate']} ms | {_yes(row['p99_ms_at_half_rate'] <= t['p99_ms_at_half_rate'])} |"
            )
    sweep = results.get("questionnaire_sweep")
    if sweep:
        lines.append(
            f"| questionnaire sweep: 10,000 due of {sweep['invitations']:,} | {sweep['sweep_seconds']:.1f} s vs "
            f"{sweep['noop_seconds']:.1f} s no-op ({sweep['ratio']:.2f}x) | ≤ 2x | {_yes(sweep['ratio'] <= 2)} |"
        )
        lines.append(
            f"| sweep queries per batch | {sweep['queries_per_batch']} (small table {sweep['queries_per_batch_small']}) "
            f"| constant | {_yes(sweep['queries_per_batch'] == sweep['queries_per_batch_small'])} |"
        )
    analytics = results.get("analytics")
    if analytics:
        lines.append(
            f"| analytics over {analytics['sessions']:,} completed sessions: p95, worst grouping | "
            f"{analytics['worst_p95_ms']:.0f} ms | ≤ {analytics['target_p95_ms']} ms | {_yes(analytics['met'])} |"
        )
    memory = results.get("worker_memory")
    if memory:
        lines.append(
            f"| worker memory over {memory['sends']:,} sends | +{memory['growth_percent']:.1f}% after warm-up "
            f"({memory['rss_after_warmup_mb']:.0f} → {memory['rss_end_mb']:.0f} MB) | ≤ 10% | {_yes(memory['growth_percent'] <= 10)} |"
        )
    notes = results.get("notes") or []
    if notes:
        lines += ["", "## Where the time goes (targets missed)", "", *notes]
    lines += ["", "How it is measured, what was changed to get here, and what is proposed: bench/README.md."]
    return "\n".join(lines) + "\n"
