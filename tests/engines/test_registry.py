"""The engine registry: one instance per engine, options and thread cap, per process."""

from pipeline.engines import registry


def test_an_engine_is_built_once_per_options():
    assert registry.rasterizer("pdfium") is registry.rasterizer("pdfium")


def test_a_new_thread_cap_builds_a_new_engine(monkeypatch):
    """A cached engine keeps the threads it was built with; a cap asked later must not be ignored."""
    before = registry.rasterizer("pdfium")
    monkeypatch.setattr(registry, "_threads", 7)
    assert registry.rasterizer("pdfium") is not before
