"""OCR engines that misbehave, loaded as plugins (`ocr.engine: tests.faults.engines:raising`), so
that the spawned workers of a real batch load them too."""

from __future__ import annotations

import random
import signal
import time

from pipeline.engines.base import Recognition, TextBox


class _Base:
    name = "fault"

    def detect(self, image):
        return [TextBox((0, 0, image.shape[1], image.shape[0]), 1.0)]


class Raising(_Base):
    def recognize(self, lines):
        raise RuntimeError("the engine crashed")


class Hanging(_Base):
    def recognize(self, lines):
        time.sleep(3600)  # a native loop would not return either
        return []


class Stuck(_Base):
    def recognize(self, lines):
        # native code that never returns: no alarm reaches the thread, no Python runs in it
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
        time.sleep(3600)
        return []


class Garbage(_Base):
    def __init__(self, seed: int = 0):
        self.random = random.Random(seed)

    def recognize(self, lines):
        letters = "口囗曰日目田由甲申电ⅡⅢ∞§¤#@%"
        return [Recognition("".join(self.random.choice(letters) for _ in range(self.random.randint(0, 9))),
                            self.random.random()) for _ in lines]


def raising(**options):
    return Raising()


def hanging(**options):
    return Hanging()


def stuck(**options):
    return Stuck()


def garbage(**options):
    return Garbage(**options)
