"""The examples run in a short mode: verified, summarised, and learning."""

import importlib.util
import math
import pathlib
import re
import sys

import pytest

EXAMPLES = pathlib.Path(__file__).parents[2] / "examples"


def load(name):
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses (equinox modules) look it up
    spec.loader.exec_module(module)
    return module


def test_transformer_example_is_verified_and_learns(capsys):
    example = load("transformer_reverse")
    assert example.main(["--steps", "60", "--batch-size", "64"]) == 0
    out = capsys.readouterr().out
    assert "verified for every batch b and length n <= 8" in out and "seq:n" in out
    assert "blocks.layers.attention.Wq  layer:2, embed:64, heads:4, key:16" in out
    losses = [float(v) for v in re.findall(r"loss (\d+\.\d+)", out)]
    assert losses and losses[-1] < 2.0  # chance is log 10 = 2.30


def test_cnn_example_is_verified_and_learns(capsys):
    example = load("cnn_mnist")
    assert example.main(["--epochs", "1", "--limit", "640"]) == 0
    out = capsys.readouterr().out
    assert "verified for every batch size b: logits" in out and "batch:b" in out
    accuracy = float(re.findall(r"test accuracy (\d+\.\d+)%", out)[-1])
    assert accuracy > 30.0  # chance is 10%


@pytest.mark.slow
def test_transformer_example_reaches_99_percent(capsys):
    example = load("transformer_reverse")
    assert example.main([]) == 0
    accuracy = float(re.findall(r"test sequence accuracy (\d+\.\d+)%", capsys.readouterr().out)[-1])
    assert accuracy >= 99.0


@pytest.mark.slow
def test_cnn_example_reaches_98_percent(capsys):
    example = load("cnn_mnist")
    assert example.main([]) == 0
    accuracy = float(re.findall(r"test accuracy (\d+\.\d+)%", capsys.readouterr().out)[-1])
    assert accuracy >= 98.0


def test_decoder_lm_example_is_verified_and_learns(capsys):
    example = load("decoder_lm")
    assert example.main(["--steps", "20", "--batch-size", "16"]) == 0
    out = capsys.readouterr().out
    assert (
        "verified for every batch b and length n <= 16: logits f32[batch:b, seq:n, vocab:16]" in out
    )
    assert "training step: loss float32[]" in out
    assert "blocks.layers.attention.Wq  layer:2, embed:64, heads:4, key:16" in out
    losses = [float(v) for v in re.findall(r"loss (\d+\.\d+)", out)]
    assert losses and all(math.isfinite(v) for v in losses)
    accuracy = float(re.findall(r"test next-token accuracy (\d+\.\d+)%", out)[-1])
    assert 0.0 <= accuracy <= 100.0


def test_unet_example_is_verified_and_learns(capsys):
    example = load("unet")
    assert example.main(["--steps", "10", "--batch-size", "8"]) == 0
    out = capsys.readouterr().out
    assert "verified for every batch b, height 4*m and width 4*k: logits" in out
    assert "height:4*m, width:4*k" in out and "class:2" in out
    assert "training step: loss float32[]" in out
    losses = [float(v) for v in re.findall(r"loss (\d+\.\d+)", out)]
    assert losses and all(math.isfinite(v) for v in losses)
    accuracy = float(re.findall(r"test pixel accuracy (\d+\.\d+)%", out)[-1])
    assert 0.0 <= accuracy <= 100.0


def test_gru_example_is_verified_and_learns(capsys):
    example = load("gru_classifier")
    assert example.main(["--steps", "20", "--batch-size", "16"]) == 0
    out = capsys.readouterr().out
    assert "verified for every batch b and length t: logits f32[batch:b, class:2]" in out
    assert "training step: loss float32[]" in out
    losses = [float(v) for v in re.findall(r"loss (\d+\.\d+)", out)]
    assert losses and all(math.isfinite(v) for v in losses)
    accuracy = float(re.findall(r"test accuracy (\d+\.\d+)%", out)[-1])
    assert 0.0 <= accuracy <= 100.0


@pytest.mark.slow
def test_decoder_lm_example_reaches_99_percent(capsys):
    example = load("decoder_lm")
    assert example.main([]) == 0
    out = capsys.readouterr().out
    accuracy = float(re.findall(r"test next-token accuracy (\d+\.\d+)%", out)[-1])
    assert accuracy >= 99.0


@pytest.mark.slow
def test_unet_example_reaches_96_percent(capsys):
    example = load("unet")
    assert example.main([]) == 0
    accuracy = float(re.findall(r"test pixel accuracy (\d+\.\d+)%", capsys.readouterr().out)[-1])
    assert accuracy >= 96.0


@pytest.mark.slow
def test_gru_example_reaches_98_percent(capsys):
    example = load("gru_classifier")
    assert example.main([]) == 0
    accuracy = float(re.findall(r"test accuracy (\d+\.\d+)%", capsys.readouterr().out)[-1])
    assert accuracy >= 98.0
