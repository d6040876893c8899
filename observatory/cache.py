"""Per-process memo of figures that only change when the observatory's data change: the
newest ``Run`` id is the version, read once per call (one indexed query)."""

from __future__ import annotations

from functools import wraps
from typing import Callable

_store: dict[str, tuple[int, object]] = {}


def data_version() -> int:
    from observatory.models import Run

    return Run.objects.order_by("-id").values_list("id", flat=True).first() or 0


def cached(key: str) -> Callable:
    def decorate(compute: Callable[[], object]) -> Callable[[], object]:
        @wraps(compute)
        def wrapper():
            version = data_version()
            hit = _store.get(key)
            if hit is not None and hit[0] == version:
                return hit[1]
            result = compute()
            _store[key] = (version, result)
            return result

        return wrapper

    return decorate


def clear() -> None:
    _store.clear()
