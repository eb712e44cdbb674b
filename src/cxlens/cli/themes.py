"""cxlens themes: themes in survey comments, offline (the embedding table ships inside an
installed package; nothing is downloaded). ``cxlens themes`` alone finds the period's themes
from scratch; ``track`` keeps them (stable ids, history, emerging-theme alerts) and
``rename``, ``merge``, ``pin`` and ``list`` work on the kept ones; ``vectors`` shows or sets
the warehouse's theme vectors (GloVe, WordLlama or LSA, :mod:`cxlens.text.vectors`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from cxlens.cli.figures import as_percent
from cxlens.cli.options import YearFromOption, check_to
from cxlens.cli.output import Format, FormatOption, console, emit, emit_json, json_records
from cxlens.cli.progress import working
from cxlens.cli.warehouse import DbOption, open_warehouse

if TYPE_CHECKING:
    from cxlens.text.theme_track import Tracked

THEMES_SHOWN = ["theme", "label", "comments", "share", "share_ci_low", "share_ci_high",
                "sentiment", "outcome", "effect", "effect_ci_low", "effect_ci_high", "q_value",
                "low_share", "n_with", "flag"]


TRACKED_SHOWN = ["theme", "polarity", "label", "pinned", "new", "comments", "share",
                 "share_ci_low", "share_ci_high", "outcome", "effect", "effect_ci_low",
                 "effect_ci_high", "q_value", "flag"]
IdArgument = Annotated[int, typer.Argument(help="The theme's id (cxlens themes list).")]
VectorsOption = Annotated[str | None, typer.Option(
    "--vectors", help="glove (GloVe 6B word vectors, public domain), wordllama (WordLlama's "
    "table, trained from Llama 2 token embeddings) or lsa (TF-IDF word 1-2-grams + SVD, no "
    "model file); default: the warehouse's choice (cxlens themes vectors), glove until one "
    "is made.")]


def register(app: typer.Typer) -> None:
    themes_app = typer.Typer(no_args_is_help=False,
                             invoke_without_command=True)

    @themes_app.callback()
    def themes_cmd(
        ctx: typer.Context,
        start: YearFromOption = None,
        end: Annotated[str | None, typer.Option("--to", help="Last day, included; default: "
                                                "the latest answer.",
                                                callback=check_to)] = None,
        k: Annotated[int | None, typer.Option(
            "--k", help="Themes per sentiment label (complaints, neutral, praise are "
            "clustered apart); default: chosen by silhouette (3–15).")] = None,
        seed: Annotated[int, typer.Option(help="Seed of the clustering (same seed, same "
                                               "themes).")] = 7,
        vectors: VectorsOption = None,
        fmt: FormatOption = Format.table,
        db: DbOption = None,
    ) -> None:
        """Themes in survey comments: sentence embeddings clustered with k-means, each theme
        labelled by its top c-TF-IDF terms, with its volume (share of comments), monthly trend
        and effect on NPS or CSAT (with vs without the theme, 95 % interval,
        Benjamini–Hochberg q-value) and the share of detractor comments in it. Personal data
        is redacted before anything is embedded or shown. Found from scratch each time:
        cxlens themes track keeps them (ids, names, history)."""
        if ctx.invoked_subcommand:
            return
        from cxlens.extras import require

        require("text")
        from cxlens.format import p_short
        from cxlens.present.themes import with_sentences
        from cxlens.text.themes import themes

        with (open_warehouse(db) as wh,
              working("embedding comments and clustering them into themes")):
            r = themes(wh, start, end, k=k, seed=seed, vectors=vectors)
        table = with_sentences(r.themes)
        if fmt is Format.json:
            emit_json({"from": str(r.first), "to": str(r.last), "comments": r.n_comments,
                       "k": r.k, "k_rule": r.rule, "model": r.model,
                       "silhouette": {str(c): v for c, v in r.silhouette.items()},
                       "themes": json_records(table), "effects": json_records(r.effects),
                       "trend": json_records(r.trend)})
            return
        if fmt is Format.csv:
            emit(table.assign(examples=table["examples"].map(" | ".join)), fmt)
            return
        shown = as_percent(r.themes[THEMES_SHOWN],
                           ("share", "share_ci_low", "share_ci_high", "low_share")).round(3)
        shown["q_value"] = [p_short(q) for q in r.themes["q_value"]]  # "< 0.001", never "0"
        emit(shown, fmt, f"themes in {r.n_comments:,} comments, {r.first} – {r.last}: "
             f"k {r.k} ({r.rule}); vectors: {r.model}")
        for line in table["sentence"]:
            console.print(f"• {line}", highlight=False, soft_wrap=True)
        console.print("share: % of comments; effect: NPS or CSAT points, commenters with − "
                      "without the theme; low_share: % of detractor (NPS 0–6) or dissatisfied "
                      "(CSAT bottom two) comments in the theme", highlight=False)

    _tracking(themes_app)
    app.add_typer(themes_app, name="themes")


def _show(t: Tracked, fmt: Format, title: str) -> None:
    """A tracked run's themes as the page shows them (the user's names, pinned first)."""
    from cxlens.format import p_short
    from cxlens.present.themes import with_sentences

    table = with_sentences(t.themes)
    if fmt is Format.json:
        emit_json({"run": t.run, "unthemed": t.unthemed, "themes": json_records(table),
                   "effects": json_records(t.effects), "trend": json_records(t.trend)})
        return
    if fmt is Format.csv:
        emit(table.assign(examples=table["examples"].map(" | ".join)), fmt)
        return
    shown = as_percent(t.themes[TRACKED_SHOWN], ("share", "share_ci_low", "share_ci_high"))
    shown = shown.round(3)
    shown["q_value"] = [p_short(q) for q in t.themes["q_value"]]
    emit(shown, fmt, title)
    for line in table["sentence"]:
        console.print(f"• {line}", highlight=False, soft_wrap=True)


def _title(t: Tracked) -> str:
    r = t.run
    return (f"themes of run {r['run_id']}: {r['comments']:,} comments, {r['first_day']} – "
            f"{r['last_day']}; vectors: {r['model']}")


def _tracking(themes_app: typer.Typer) -> None:
    @themes_app.command("track")
    def track_cmd(
        start: YearFromOption = None,
        end: Annotated[str | None, typer.Option("--to", help="Last day, included; default: "
                                                "the latest answer.",
                                                callback=check_to)] = None,
        k: Annotated[int | None, typer.Option(
            "--k", help="Themes per sentiment label; default: chosen by silhouette "
            "(3–15).")] = None,
        seed: Annotated[int, typer.Option(help="Seed of the clustering.")] = 7,
        vectors: VectorsOption = None,
        fmt: FormatOption = Format.table,
        db: DbOption = None,
    ) -> None:
        """Find the period's themes and keep them: negative, neutral and positive comments
        are clustered apart, each cluster is matched to the kept themes (centroid cosine
        similarity at least 0.80, or half of its comments in the theme last run; Hungarian
        pairing) so a theme keeps its id, name and pin run after run, and every comment's
        theme is stored — the emerging-theme alert check and the themes page read it
        (docs/text.md). Centroids are compared only between WordLlama runs: an LSA run (its
        space is fitted on each run's comments) matches a theme by its comments alone."""
        from cxlens.extras import require

        require("text")
        from cxlens.text.theme_track import track

        with (open_warehouse(db) as wh,
              working("embedding comments and matching them to the kept themes")):
            t = track(wh, start, end, k=k, seed=seed, vectors=vectors)
        _show(t, fmt, _title(t))

    @themes_app.command("vectors")
    def vectors_cmd(
        name: Annotated[str | None, typer.Argument(
            help="glove, wordllama or lsa; leave out to show the current choice.")] = None,
        db: DbOption = None,
    ) -> None:
        """Show or set the warehouse's theme vectors, used by the themes page and by every
        themes command without --vectors. glove (default): Stanford's GloVe 6B word vectors,
        public domain (PDDL 1.0), shipped in a wheel. wordllama: WordLlama's token table, MIT
        but trained from Llama 2's token embeddings, best on real text, for users who accept
        that licence. lsa: TF-IDF word 1-2-grams reduced by SVD on the comments themselves, no
        model file, weakest on real text (docs/text.md, "Choosing the theme vectors")."""
        from cxlens.text import vectors as theme_vectors

        with open_warehouse(db) as wh:
            if name is None:
                chosen = theme_vectors.space(theme_vectors.setting(wh))
                console.print(f"theme vectors: {chosen.name} ({chosen.model})",
                              highlight=False)
                return
            chosen = theme_vectors.choose(wh, name)
        console.print(f"theme vectors are now {chosen.name} ({chosen.model})"
                      + ("" if chosen.fixed else "; tracked runs match kept themes by the "
                         "comments they share with the previous run, not by centroids"),
                      highlight=False)

    @themes_app.command("list")
    def list_cmd(fmt: FormatOption = Format.table, db: DbOption = None) -> None:
        """The latest tracked run's themes, with the names, merges and pins made since."""
        from cxlens.errors import NotFound
        from cxlens.text.theme_track import latest

        with open_warehouse(db) as wh:
            t = latest(wh)
        if t is None:
            raise NotFound("no themes are kept yet", "cxlens themes track finds and keeps them")
        _show(t, fmt, _title(t))

    @themes_app.command("rename")
    def rename_cmd(theme: IdArgument,
                   name: Annotated[str, typer.Argument(help="The new name; \"\" goes back to "
                                                       "the terms' label.")],
                   db: DbOption = None) -> None:
        """Name a theme; later runs that find it keep the name."""
        from cxlens.text import theme_store

        with open_warehouse(db) as wh:
            t = theme_store.rename(wh, theme, name)
        console.print(f"theme {t.theme_id} is now called {t.title!r}", highlight=False)

    @themes_app.command("merge")
    def merge_cmd(theme: IdArgument,
                  into: Annotated[int, typer.Argument(help="The theme it joins.")],
                  db: DbOption = None) -> None:
        """Count a theme's comments under another theme of the same polarity (past runs
        and later ones)."""
        from cxlens.text import theme_store

        with open_warehouse(db) as wh:
            theme_store.merge(wh, theme, into)
            target = theme_store.one(wh, into)
        console.print(f"theme {theme} is merged into theme {into} ({target.title})",
                      highlight=False)

    @themes_app.command("pin")
    def pin_cmd(theme: IdArgument,
                off: Annotated[bool, typer.Option("--off", help="Unpin it.")] = False,
                db: DbOption = None) -> None:
        """Pin a theme: listed first, and shown even in a run that does not find it."""
        from cxlens.text import theme_store

        with open_warehouse(db) as wh:
            t = theme_store.pin(wh, theme, not off)
        console.print(f"theme {t.theme_id} ({t.title}) is {'pinned' if t.pinned else 'unpinned'}",
                      highlight=False)
