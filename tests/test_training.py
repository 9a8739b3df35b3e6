"""``make train`` (and so ``make run``): a model is trained only when what it
is made of changed; otherwise the latest model is kept as it is."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e


def test_training_again_with_nothing_changed_keeps_the_latest_model(settings, model):
    from bot import services

    models_before = sorted(settings.models_dir.glob("*.tar.gz"))
    assert services.train(settings) == model
    assert sorted(settings.models_dir.glob("*.tar.gz")) == models_before
