"""The recorded engine replays a real engine's readings by image likeness."""

import numpy as np

from pipeline.engines.base import Recognition
from pipeline.engines.recorded import RecordedEngine, RecordingEngine


class FakeEngine:
    name = "fake"

    def recognize(self, lines):
        return [Recognition(f"w{line.shape[1]}", 0.9) for line in lines]


def test_replay_matches_nearest_recorded_line(tmp_path):
    rng = np.random.default_rng(0)
    lines = [rng.integers(0, 255, (30, width), dtype=np.uint8) for width in (40, 90, 200)]
    recording = RecordingEngine(FakeEngine())
    recording.recognize(lines)
    recording.save(tmp_path / "rec.json")
    replay = RecordedEngine(str(tmp_path / "rec.json"))
    shifted = [np.roll(line, 1, axis=1) for line in lines]  # a pixel off, as on another machine
    assert [r.text for r in replay.recognize(shifted)] == ["w40", "w90", "w200"]
