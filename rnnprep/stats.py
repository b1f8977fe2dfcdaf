"""Where the learner stands: per-topic accuracy, due reviews, mastery, streak and kata status.

`compute_stats` returns JSON-ready data (what `rnnprep stats --json` prints);
`render_stats` turns it into compact text with bars for the terminal.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from rnnprep.errors import RnnprepError
from rnnprep.status import NOT_STARTED, STATUS_COLOURS
from rnnprep.store import MASTERED_STABILITY_DAYS, Store
from rnnprep.store.scheduling import from_text, to_text, utc

# A topic needs this many answers before it can be called weak.
WEAK_MIN_ANSWERS = 3
WEAKEST_SHOWN = 3
BAR_WIDTH = 10
EIGHTHS = " ▏▎▍▌▋▊▉█"


def shipped_questions() -> dict[str, tuple[str, int]]:
    """Question id -> (topic, rev) for every shipped question (BankError if a bank is broken)."""
    from rnnprep.bank import load_questions

    return {question.id: (question.topic, question.rev) for question in load_questions()}


def kata_names() -> list[str]:
    """Kata names in learning-path order, from the registry (local katas included)."""
    from rnnprep import registry

    return registry.default().names()


def compute_stats(
    store: Store, *, topics: Mapping[str, str], katas: Sequence[str],
    now: datetime | None = None, tz: tzinfo | None = None, revs: Mapping[str, int] | None = None,
) -> dict[str, Any]:
    """Everything `rnnprep stats` shows, as JSON-ready data.

    `topics` maps the shipped question ids to their topic (for "mastered 3/12");
    `katas` lists the registry's katas; `tz` decides where a day ends for the streak
    (the local zone when None); `revs` gives each question's current `rev`: a card
    scheduled for an older rev counts as new, as it does in the quiz.
    """
    moment = utc(now)
    by_topic = _topic_table(store, topics, moment, revs or {})
    answered = sum(row["answered"] for row in by_topic.values())
    correct = sum(row["correct"] for row in by_topic.values())
    return {
        "generated_at": to_text(moment),
        "answered": answered,
        "correct": correct,
        "accuracy": _ratio(correct, answered),
        "due_now": sum(row["due_now"] for row in by_topic.values()),
        "mastered": sum(row["mastered"] for row in by_topic.values()),
        "mastered_stability_days": MASTERED_STABILITY_DAYS,
        "streak_days": streak(store, moment, tz),
        "overridden": sum(1 for review in store.reviews() if review["overridden"]),
        "next_due": _next_due(store, moment),
        "forecast": store.due_forecast(FORECAST_DAYS, moment, tz),
        "by_topic": by_topic,
        "weakest_topics": weakest(by_topic),
        "katas": _kata_table(store, katas),
    }


FORECAST_DAYS = 7


def _next_due(store: Store, moment: datetime) -> str | None:
    """When the next review falls due after now (None when nothing is scheduled later)."""
    later = [card.due for card in store.cards() if card.due > moment]
    return to_text(min(later)) if later else None


def gather(store: Store, now: datetime | None = None) -> tuple[dict[str, Any], list[str]]:
    """compute_stats over the shipped banks and kata registry, plus warnings for the user.

    Broken content must not hide the learner's progress: a bank or registry that cannot
    be read becomes a warning, and the figures come from the store alone.
    """
    warnings: list[str] = []
    try:
        questions = shipped_questions()
    except RnnprepError as error:
        questions = {}
        warnings.append(f"Question counts are missing because the banks have problems. {error}")
    topics = {qid: topic for qid, (topic, _) in questions.items()}
    revs = {qid: rev for qid, (_, rev) in questions.items()}
    try:
        katas = kata_names()
    except RnnprepError as error:
        katas = []
        warnings.append(f"Katas never attempted are missing. {error}")
    return compute_stats(store, topics=topics, katas=katas, now=now, revs=revs), warnings


def _topic_table(
    store: Store, topics: Mapping[str, str], now: datetime, revs: Mapping[str, int]
) -> dict[str, dict[str, Any]]:
    """Per topic: questions (shipped or answered), answered, correct, accuracy, due now, mastered."""
    table: dict[str, dict[str, Any]] = {}
    ids: dict[str, set[str]] = {}

    def row(topic: str) -> dict[str, Any]:
        return table.setdefault(topic, {"questions": 0, "answered": 0, "correct": 0,
                                        "accuracy": None, "due_now": 0, "mastered": 0})

    for question_id, topic in topics.items():
        row(topic)
        ids.setdefault(topic, set()).add(question_id)
    for topic, answered, correct in store.connection.execute(
            "SELECT topic, count(*), sum(correct) FROM reviews GROUP BY topic"):
        row(topic).update(answered=answered, correct=correct, accuracy=_ratio(correct, answered))
    for card in store.cards():
        ids.setdefault(card.topic, set()).add(card.question_id)  # user banks count too
        if card.rev != revs.get(card.question_id, card.rev):
            continue  # the question's meaning changed: it starts over, neither due nor mastered
        if card.due <= now:
            row(card.topic)["due_now"] += 1
        if (card.stability or 0.0) >= MASTERED_STABILITY_DAYS:
            row(card.topic)["mastered"] += 1
    for topic, known in ids.items():
        table[topic]["questions"] = len(known)
    return dict(sorted(table.items()))


def _ratio(part: int, whole: int) -> float | None:
    """part/whole rounded for display, None when there is nothing to divide."""
    return round(part / whole, 4) if whole else None


def streak(store: Store, now: datetime, tz: tzinfo | None = None) -> int:
    """Consecutive days with at least one answer, ending today or yesterday (else 0)."""
    days: set[date] = {from_text(at).astimezone(tz).date()
                       for (at,) in store.connection.execute("SELECT reviewed_at FROM reviews")}
    day = now.astimezone(tz).date()
    if day not in days:
        day -= timedelta(days=1)  # a streak is still alive until today ends
    count = 0
    while day in days:
        count += 1
        day -= timedelta(days=1)
    return count


def weakest(by_topic: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Topics with enough answers and imperfect accuracy, lowest accuracy first."""
    candidates = [(row["accuracy"], -row["answered"], topic) for topic, row in by_topic.items()
                  if row["answered"] >= WEAK_MIN_ANSWERS and row["accuracy"] < 1.0]
    return [topic for *_, topic in sorted(candidates)[:WEAKEST_SHOWN]]


def _kata_table(store: Store, katas: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Per kata (registry order, then any only the store knows): status, attempts, last attempt."""
    known = store.kata_status()
    table: dict[str, dict[str, Any]] = {}
    for name in [*katas, *sorted(set(known) - set(katas))]:
        status = known.get(name)
        table[name] = {
            "status": status.status if status else NOT_STARTED,
            "attempts": status.attempts if status else 0,
            "last_attempt": to_text(status.last_attempt) if status else None,
        }
    return table


def bar(fraction: float | None, width: int = BAR_WIDTH, unicode: bool = True) -> str:
    """A horizontal bar `width` cells wide, in eighths of a cell ('#' without unicode)."""
    fraction = min(max(fraction or 0.0, 0.0), 1.0)
    if not unicode:
        filled = round(fraction * width)
        return "#" * filled + "." * (width - filled)
    eighths = round(fraction * width * 8)
    full, part = divmod(eighths, 8)
    return ("█" * full + (EIGHTHS[part] if part else "")).ljust(width)


def render_stats(stats: Mapping[str, Any], style: Callable[..., str], unicode: bool = True) -> str:
    """The terminal view of compute_stats' data; `style` is App.style (colour or plain)."""
    lines = [_headline(stats, style), ""]
    if stats["answered"]:
        lines += [*_schedule_lines(stats, style), ""]
    lines += _topic_lines(stats, style, unicode)
    if stats["weakest_topics"]:
        weak = ", ".join(f"{topic} ({stats['by_topic'][topic]['accuracy']:.0%})"
                         for topic in stats["weakest_topics"])
        lines += ["", f"Weakest: {style(weak, fg='red')}  (rnnprep quiz --topic TOPIC)"]
    if stats["katas"]:
        lines += ["", *_kata_lines(stats, style)]
    return "\n".join(lines)


def _headline(stats: Mapping[str, Any], style: Callable[..., str]) -> str:
    """One line: answered, accuracy, streak, due."""
    if not stats["answered"]:
        return "No answers yet: start with `rnnprep quiz`."
    days = stats["streak_days"]
    return (f"{style(str(stats['answered']), bold=True)} answered, "
            f"{stats['accuracy']:.0%} correct, streak {days} day{'s' if days != 1 else ''}, "
            f"{stats['due_now']} due now, {stats['mastered']} mastered "
            f"(stability ≥ {stats['mastered_stability_days']:g} days)")


def _schedule_lines(stats: Mapping[str, Any], style: Callable[..., str]) -> list[str]:
    """When the next review is, the next 7 days' reviews, and overrides."""
    from datetime import datetime

    lines = []
    if stats["next_due"]:
        when = datetime.fromisoformat(stats["next_due"]).astimezone()
        lines.append(f"Next review: {when:%a %d %b %H:%M}")
    forecast = stats["forecast"]
    days = ["today", "tomorrow", *(f"+{n} days" for n in range(2, len(forecast)))]
    lines.append("Due in the next 7 days: " + ", ".join(f"{d} {n}" for d, n in zip(days, forecast, strict=True) if n)
                 if any(forecast) else "Due in the next 7 days: nothing")  # fmt: skip
    if stats["overridden"]:
        lines.append(style(f"{stats['overridden']} answer(s) counted right at your word (:r)", dim=True))
    return lines


def _topic_lines(stats: Mapping[str, Any], style: Callable[..., str], unicode: bool) -> list[str]:
    """The per-topic table: answered, accuracy bar, due, mastered bar."""
    width = max([len("topic"), *map(len, stats["by_topic"])])
    lines = [style(f"{'topic':<{width}}  answered  {'accuracy':<{BAR_WIDTH + 5}}  due  mastered",
                   bold=True)]
    for topic, row in stats["by_topic"].items():
        accuracy = row["accuracy"]
        colour = "green" if (accuracy or 0) >= 0.8 else "yellow" if (accuracy or 0) >= 0.5 else "red"
        shown = f"{accuracy:4.0%}" if accuracy is not None else "   -"
        total = row["questions"]
        mastered = bar(row["mastered"] / total if total else 0.0, unicode=unicode)
        lines.append(f"{topic:<{width}}  {row['answered']:>8}  "
                     f"{style(bar(accuracy, unicode=unicode), fg=colour)} {shown}  "
                     f"{row['due_now']:>3}  {style(mastered, fg='cyan')} {row['mastered']}/{row['questions']}")
    return lines


def _kata_lines(stats: Mapping[str, Any], style: Callable[..., str]) -> list[str]:
    """The kata table: status and attempts."""
    width = max([len("kata"), *map(len, stats["katas"])])
    lines = [style(f"{'kata':<{width}}  {'status':<11}  attempts", bold=True)]
    for name, row in stats["katas"].items():
        status = style(f"{row['status']:<11}", fg=STATUS_COLOURS[row["status"]])
        lines.append(f"{name:<{width}}  {status}  {row['attempts']:>8}")
    return lines
