"""Source -> enrich -> query -> store: the one module that knows all four."""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

import httpx
import pluggy
from pydantic import ValidationError

from ecoute.enrich.base import Stage, enrich
from ecoute.hookspecs import close_hooks, plugin_manager
from ecoute.model import Mention, Query, SourceSpec, heard_mentions, utc
from ecoute.plugins import load
from ecoute.query.history import retag
from ecoute.query.matcher import Matcher, compile_matcher
from ecoute.query.patterns import candidates
from ecoute.query.prefilter import required_words
from ecoute.query.syntax import And, Field, Not, Or, QueryError, parse
from ecoute.settings import Settings
from ecoute.sources.base import Page, RateLimited, Source, SourceError, StreamingSource
from ecoute.sources.http import make_client
from ecoute.store.base import SavedCursor, Store, UpsertCounts

log = logging.getLogger(__name__)


class ConfigError(ValueError):
    """Settings of a source or a stage are missing or invalid; the message names each field."""


# Order matters: sentiment and keywords read the language, queries read them all.
DEFAULT_STAGES = ("language", "sentiment", "keywords")


def default_stages(
    only: set[str] | None = None, options: dict[str, dict[str, Any]] | None = None
) -> list[Stage]:
    """Instantiate the installed enrichment stages, built-ins first in their natural order.

    `options` gives a stage its keyword arguments by name (the ``stages`` setting).
    """
    found = load("stages", only)
    options = options or {}
    unknown = set(options) - set(found)
    if unknown:
        raise ConfigError(f"options for unknown stages: {', '.join(sorted(unknown))}")
    names = [n for n in DEFAULT_STAGES if n in found] + sorted(set(found) - set(DEFAULT_STAGES))
    return [found[n](**options.get(n, {})) for n in names]


def stages_for(settings: Settings) -> list[Stage]:
    """The enrichment chain the settings ask for."""
    only = None if settings.plugins is None else set(settings.plugins)
    return default_stages(only, settings.stages)


class Pipeline:
    """Ingests pages: enrich each batch, tag it with the standing queries, store it once."""

    def __init__(
        self,
        store: Store,
        stages: Sequence[Stage],
        queries: Sequence[Query] | None = None,
        *,
        hooks: pluggy.PluginManager | None = None,
    ) -> None:
        self.store = store
        self.stages = list(stages)
        self.hooks = hooks
        self._use(store.list_queries() if queries is None else queries)

    def reload_queries(self) -> None:
        """Pick up queries added or changed since the pipeline started."""
        self._use(self.store.list_queries())

    def _use(self, queries: Sequence[Query]) -> None:
        self.matcher: Matcher = compile_matcher(queries)
        # A field filter (lang:, author:, ...) reads a whole mention, which a post
        # heard in bulk is not until it is built.
        self._reads_fields = any(_reads_fields(q.expr) for q in queries)
        self._required = _required_words(queries)

    def ingest(
        self, page: Page, *, source_key: str | None = None, enriched: bool = True
    ) -> UpsertCounts:
        """Store one page atomically with its cursor (when a source key is given).

        With ``enriched=False`` the posts are stored as heard, for bulk loads;
        `enrich_history` (``ecoute enrich``) understands them later.
        """
        mentions = page.mentions
        heard = page.heard
        counts = UpsertCounts()
        if heard is not None and heard.num_rows:
            if enriched or self._reads_fields:
                mentions = heard_mentions(heard) + mentions
            else:  # the bulk path: no object per post
                counts += self._ingest_heard(heard)
        mentions = enrich(mentions, self.stages) if enriched else mentions
        self.matcher.tag(mentions)
        cursor = None if source_key is None else SavedCursor(source_key, page.cursor)
        if mentions or cursor:
            stored = self.store.upsert(mentions, cursor=cursor)
            counts += stored
            if self.hooks is not None and stored.changed:
                changed = set(stored.changed)
                live = [m for m in mentions if not m.is_deleted and m.key in changed]
                self.hooks.hook.mentions_stored(store=self.store, mentions=live)
        counts.rejected += len(page.rejected)
        return counts

    def _ingest_heard(self, heard: Any) -> UpsertCounts:
        if self.matcher.queries:
            match = self.matcher.match
            texts = heard.column("text")
            if self._required is None:
                queries = [match(text) for text in texts.to_pylist()]
            else:
                # Only the posts holding some query's required words can match one.
                import pyarrow.compute as pc

                rows = pc.indices_nonzero(candidates(texts, self._required)).to_pylist()
                queries = [[]] * heard.num_rows
                for i, text in zip(rows, texts.take(rows).to_pylist(), strict=True):
                    queries[i] = match(text)
        else:
            queries = [[]] * heard.num_rows
        counts = self.store.upsert_heard(heard, queries)
        if self.hooks is not None and counts.changed:
            stored = _HeardMentions(heard, queries, counts.changed)
            self.hooks.hook.mentions_stored(store=self.store, mentions=stored)
        return counts

    def ingest_all(self, pages: Iterable[Page]) -> UpsertCounts:
        """Ingest pages in order and return the summed counts."""
        total = UpsertCounts()
        for page in pages:
            total += self.ingest(page)
        return total


class _HeardMentions(Sequence[Mention]):
    """The stored posts of a heard table, built as mentions only if a hook reads them."""

    def __init__(
        self, heard: Any, queries: list[list[str]], changed: Sequence[tuple[str, str]]
    ) -> None:
        self._heard, self._queries, self._changed = heard, queries, changed

    @cached_property
    def _keys(self) -> set[tuple[str, str]]:
        return set(self._changed)

    @cached_property
    def _mentions(self) -> list[Mention]:
        return self._stored(self._heard, self._queries)

    def _stored(self, heard: Any, queries: Sequence[Sequence[str]]) -> list[Mention]:
        """The stored version of each post of `heard` (the newest collected), tagged."""
        newest: dict[tuple[str, str], Mention] = {}
        for m, tags in zip(heard_mentions(heard), queries, strict=True):
            held = newest.get(m.key)
            if m.key in self._keys and (held is None or m.collected_at >= held.collected_at):
                m.queries = list(tags)
                newest[m.key] = m
        return list(newest.values())

    def tagged_since(self, moment: datetime) -> list[Mention]:
        """The stored posts some query matched, created at or after `moment`, alone built.

        A bulk load of last year's export tags many posts that an alert could never
        be about: this skips building them (see the ``mentions_stored`` hookspec).
        """
        if self.__dict__.get("_mentions") is not None:  # already built: filter those
            return [m for m in self._mentions if m.queries and utc(m.created_at) >= moment]
        import pyarrow as pa  # here: the pipeline's other paths never need Arrow
        import pyarrow.compute as pc

        created = self._heard.column("created_at")
        recent = pc.greater_equal(created, pa.scalar(moment, created.type))
        if not pc.any(recent).as_py():  # last year's export: nothing to look at
            return []
        flags = recent.to_pylist()
        rows = [i for i, (q, r) in enumerate(zip(self._queries, flags, strict=True)) if q and r]
        if not rows:
            return []
        picked = self._heard.take(pa.array(rows, pa.int64()))
        return self._stored(picked, [self._queries[i] for i in rows])

    def __len__(self) -> int:
        return len(self._changed)

    def __getitem__(self, index: Any) -> Any:
        return self._mentions[index]

    def __iter__(self) -> Iterator[Mention]:
        return iter(self._mentions)


def _required_words(queries: Sequence[Query]) -> list[tuple[tuple[str, ...], ...]] | None:
    """Each query's required words, for a bulk table's first cut; None when one has none.

    Past a few dozen queries the patterns cost more than the matcher they spare.
    """
    if not queries or len(queries) > MAX_PREFILTERED:
        return None
    found = []
    for q in queries:
        try:
            groups = required_words(q.expr)
        except QueryError:
            return None
        if not groups:
            return None
        found.append(groups)
    return found


MAX_PREFILTERED = 24


def _reads_fields(expr: str) -> bool:
    """Whether a query's expression has a field filter anywhere (true if it cannot parse)."""
    try:
        tree = parse(expr)
    except QueryError:
        return True
    nodes = [tree]
    while nodes:
        node = nodes.pop()
        if isinstance(node, Field):
            return True
        if isinstance(node, Not):
            nodes.append(node.child)
        elif isinstance(node, And | Or):
            nodes.extend(node.children)
    return False


# Which column each built-in stage stamps with its version; a third-party stage
# names its own with a ``stamp`` class attribute.
STAMPS = {
    "language": "lang_by",
    "sentiment": "sentiment_by",
    "keywords": "keywords_by",
    "care": "care_by",
    "duplicates": "story_by",
    "influence": "influence_by",
}


def stamp_of(stage: Stage) -> str:
    """Return the version column `stage` writes (``sentiment_by`` for the sentiment stage)."""
    return getattr(stage, "stamp", None) or STAMPS.get(stage.name, f"{stage.name}_by")


def enrich_history(
    store: Store,
    stages: Sequence[Stage],
    *,
    since: datetime | None = None,
    everything: bool = False,
    batch_size: int = 5000,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Enrich stored mentions that no stage of this version has seen; return how many.

    A mention is stale when a stage's version column is empty (stored with
    ``--no-enrich``) or holds another version (the stage improved since). Each
    batch is re-tagged with the standing queries, whose field filters read the
    new enrichment.
    """
    stamps = {stamp_of(s): s.version for s in stages}
    matcher = compile_matcher(store.list_queries())
    done = 0
    batches = store.iter_stale(stamps, since=since, everything=everything, batch_size=batch_size)
    for batch in batches:
        enrich(batch, stages)
        matcher.tag(batch)
        done += store.update_enrichment(batch)
        if progress is not None:
            progress(done)
    return done


def retag_history(store: Store, query: Query) -> int:
    """Tag every stored mention that `query` matches, replacing its old tags; return the count."""
    return retag(store, query)


# -- collectors ---------------------------------------------------------------------------
def source_classes(only: set[str] | None = None) -> dict[str, type]:
    """Return the installed source plugins by kind."""
    return load("sources", only)


def validate_source(spec: SourceSpec, classes: dict[str, type] | None = None) -> Any:
    """Return the source's validated Config, or raise ConfigError saying what is wrong."""
    classes = source_classes() if classes is None else classes
    cls = classes.get(spec.kind)
    if cls is None:
        raise ConfigError(
            f"no source plugin {spec.kind!r}; installed: {', '.join(sorted(classes))}"
        )
    try:
        return cls.Config.model_validate(spec.config)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'config'}: {e['msg']}" for e in exc.errors()
        )
        raise ConfigError(f"source {spec.name!r} ({spec.kind}): {problems}") from None


def build_source(spec: SourceSpec, http: httpx.Client,
                 classes: dict[str, type] | None = None) -> Source | StreamingSource:  # fmt: skip
    """Instantiate the plugin behind `spec` with its validated config."""
    classes = source_classes() if classes is None else classes
    return classes[spec.kind](validate_source(spec, classes), http)


def shown_config(spec: SourceSpec, classes: dict[str, type] | None = None) -> dict[str, Any]:
    """Return a source's settings as safe to show: secrets masked."""
    try:
        config = validate_source(spec, classes)
    except ConfigError:
        return {k: "**********" for k in spec.config}
    return config.model_dump(mode="json")


@dataclass
class CollectorState:
    """What a running collector has done, for `ecoute listen` and the web app."""

    name: str
    kind: str
    pages: int = 0
    counts: UpsertCounts = field(default_factory=UpsertCounts)
    errors: int = 0
    last_error: str | None = None
    last_page_at: float | None = None
    status: str = "starting"


class Backoff:
    """Exponential backoff with full jitter, capped; reset after a success."""

    def __init__(self, base: float = 1.0, cap: float = 300.0, rng: random.Random | None = None):
        self.base, self.cap, self.failures = base, cap, 0
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not secrecy

    def next(self) -> float:
        self.failures += 1
        return self._rng.uniform(0, min(self.cap, self.base * 2 ** (self.failures - 1)))

    def reset(self) -> None:
        self.failures = 0


class Collector:
    """Runs one source until stopped: fetch or stream pages, store each with its cursor.

    The page and its cursor are committed together, so a crash at any point
    replays at most one page, which the idempotent upsert absorbs.
    """

    QUERY_REFRESH_SECONDS = 30.0

    def __init__(self, spec: SourceSpec, source: Source | StreamingSource, pipeline: Pipeline,
                 *, interval: float = 60.0, stop: threading.Event | None = None,
                 backoff: Backoff | None = None) -> None:  # fmt: skip
        self.spec = spec
        self.source = source
        self.pipeline = pipeline
        self.interval = interval
        self.stop_event = stop or threading.Event()
        self.backoff = backoff or Backoff()
        self.state = CollectorState(spec.name, spec.kind)
        self._queries_at = time.monotonic()

    def stop(self) -> None:
        """Ask the collector to finish its current page and return."""
        self.stop_event.set()
        stopper = getattr(self.source, "stop", None)
        if stopper is not None:
            stopper()

    def run(self) -> None:
        """Collect until stopped; errors are counted, logged and retried with backoff."""
        while not self.stop_event.is_set():
            try:
                self._run_once()
            except RateLimited as exc:
                self._failed(exc, exc.retry_after)
            except SourceError as exc:
                self._failed(exc, None)
            except Exception as exc:  # a bug in one source must not stop the others
                log.exception("source %s failed", self.spec.name)
                self._failed(exc, None)
        self.state.status = "stopped"

    def _run_once(self) -> None:
        cursor = self.pipeline.store.load_cursor(self.spec.name)
        if isinstance(self.source, StreamingSource):
            self.state.status = "streaming"
            for page in self.source.stream(cursor):
                self._ingest(page)
                if self.stop_event.is_set():
                    self.source.stop()
            return
        page = self.source.fetch(cursor)
        self._ingest(page)
        if page.exhausted:
            self.state.status = "waiting"
            self.stop_event.wait(self.interval)

    def _ingest(self, page: Page) -> None:
        if time.monotonic() - self._queries_at > self.QUERY_REFRESH_SECONDS:
            self.pipeline.reload_queries()
            self._queries_at = time.monotonic()
        self.state.counts += self.pipeline.ingest(page, source_key=self.spec.name)
        self.state.pages += 1
        self.state.last_page_at = time.time()
        self.state.status = "collecting"
        self.backoff.reset()
        for rejected in page.rejected:
            log.warning(
                "source %s: %s refused: %s", self.spec.name, rejected.where, rejected.reason
            )

    def _failed(self, exc: Exception, retry_after: float | None) -> None:
        self.state.errors += 1
        self.state.last_error = str(exc)[:300]
        wait = retry_after if retry_after is not None else self.backoff.next()
        self.state.status = f"retrying in {wait:.0f} s"
        log.warning("source %s: %s; retrying in %.1f s", self.spec.name, exc, wait)
        self.stop_event.wait(wait)


class CollectorGroup:
    """Every enabled collector of a workspace, one thread each."""

    def __init__(
        self,
        running: list[tuple[Collector, threading.Thread]],
        http: httpx.Client,
        hooks: pluggy.PluginManager,
    ) -> None:
        self.running = running
        self._http = http
        self.hooks = hooks

    @classmethod
    def start(cls, store: Store, settings: Settings, names: Sequence[str] | None = None,
              *, hooks: pluggy.PluginManager | None = None) -> CollectorGroup:  # fmt: skip
        """Start the enabled collectors (or only `names`); a broken one is logged and skipped."""
        specs = [s for s in store.list_sources() if s.enabled and (not names or s.name in names)]
        missing = set(names or ()) - {s.name for s in specs}
        if missing:
            raise ConfigError(f"no enabled source named {', '.join(sorted(missing))}")
        classes = source_classes()
        http = make_client(allow_private=settings.allow_private_urls)
        stages = stages_for(settings)
        hooks = hooks or plugin_manager(settings)
        running = []
        for spec in specs:
            try:
                source = build_source(spec, http, classes)
            except ConfigError as exc:
                log.error("skipping source %s: %s", spec.name, exc)
                continue
            collector = Collector(spec, source, Pipeline(store, stages, hooks=hooks),
                                  interval=settings.poll_interval)  # fmt: skip
            thread = threading.Thread(target=collector.run, name=f"source-{spec.name}", daemon=True)
            thread.start()
            running.append((collector, thread))
        return cls(running, http, hooks)

    def stop(self, wait: float = 10.0) -> None:
        """Ask every collector to stop and give them `wait` seconds to finish their page."""
        for collector, _ in self.running:
            collector.stop()
        deadline = time.monotonic() + wait
        for _, thread in self.running:
            thread.join(max(0.0, deadline - time.monotonic()))
        self._http.close()
        close_hooks(self.hooks)
