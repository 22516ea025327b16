"""What each step reads of the release, built by the creators: a step takes only that."""

from __future__ import annotations

from web_assets.records.documents import DatasetFile, Named, RunFacts
from web_assets.release.load import Release
from web_assets.steps.records import LockInputs, ManifestInputs


def artefacts(release: Release) -> tuple[Named, ...]:
    """The models, then the bundles, as the manifest and the lock file name them."""
    relative = release.settings.relative
    return (
        *(Named("model", model.id, relative(model.path)) for model in release.export.models),
        *(
            Named("preprocessing", bundle.id, relative(bundle.path))
            for bundle in release.export.bundles
        ),
    )


def manifest_inputs(release: Release) -> ManifestInputs:
    settings = release.settings
    return ManifestInputs(
        root=settings.root,
        manifest=settings.manifest,
        lock_file=settings.lock_file,
        hash_threads=settings.hash_threads,
        artefacts=artefacts(release),
        run=RunFacts(settings.version, settings.uri_template, release.run_id, settings.trained_at),
        source_date_epoch=settings.source_date_epoch,
        metrics=release.metrics,
    )


def lock_inputs(release: Release) -> LockInputs:
    settings = release.settings
    team_cache = settings.team_cache
    return LockInputs(
        root=settings.root,
        lock_file=settings.lock_file,
        version=settings.version,
        inputs={
            "run_dir": settings.shown(settings.run_dir),
            "dataset": settings.shown(settings.dataset),
            "financial_dataset": settings.shown(settings.financial_dataset),
            "team_cache": settings.shown(team_cache) if team_cache else None,
        },
        datasets=tuple(
            DatasetFile(
                copy.name,
                settings.relative(copy.target),
                tuple(release.columns[copy.name]) if copy.name in release.columns else None,
            )
            for copy in release.datasets
        ),
        artefacts=artefacts(release),
        extras=tuple(
            Named(extra.kind, extra.id, settings.relative(extra.path)) for extra in release.extras
        ),
        metrics=release.metrics,
    )
