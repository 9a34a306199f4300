"""Key remapping from the config's ``[keys]`` table, checked for clashes first.

Textual's ``set_keymap`` silently drops a binding whose key a remap takes (measured), so
every remap is checked against the other bindings that can be active at the same time
(the focused widget's, its screen's and the app's); one that takes another binding's key
is reported and left out, and that action keeps its default keys.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from textual.binding import Binding, BindingType


@dataclass(frozen=True)
class KeyBinding:
    """One binding's id, its default keys and where it is declared."""

    id: str
    keys: tuple[str, ...]


def bindings_of(*classes: type) -> list[KeyBinding]:
    """The bindings with an id declared by ``classes`` and their bases (Textual's too)."""
    found: dict[str, KeyBinding] = {}
    for cls in classes:
        for klass in reversed(cls.__mro__):
            declared: Iterable[BindingType] = klass.__dict__.get("BINDINGS", ())
            for binding in Binding.make_bindings(declared):
                # one without an id can't be remapped, but its key can still be taken
                name = binding.id or f"({binding.action})"
                keys = tuple(k.strip() for k in binding.key.split(",") if k.strip())
                old = found.get(name)
                merged = keys if old is None else tuple(dict.fromkeys((*old.keys, *keys)))
                found[name] = KeyBinding(name, merged)
    return list(found.values())


def check_keymap(
    wanted: Mapping[str, Sequence[str]], chains: Sequence[Sequence[KeyBinding]]
) -> tuple[dict[str, str], list[str]]:
    """The keymap to give ``App.set_keymap`` and one message per refused remap.

    ``chains`` lists the groups of bindings active together. A remap is refused when its
    action is unknown, when it has no key, or when one of its keys is another binding's
    key in a chain they share (that other binding's remap counts, if it has one).
    """
    known = {b.id for chain in chains for b in chain if not b.id.startswith("(")}
    problems: list[str] = []
    requested: dict[str, tuple[str, ...]] = {}
    for action, keys in wanted.items():
        cleaned = tuple(dict.fromkeys(k.strip() for k in keys if k.strip()))
        if action not in known:
            problems.append(f"config: keys: unknown action {action!r}; {_suggest(action, known)}")
        elif not cleaned:
            problems.append(f"config: keys: {action} has no key; keeping its default")
        else:
            requested[action] = cleaned

    def keys_of(binding: KeyBinding) -> tuple[str, ...]:
        return requested.get(binding.id, binding.keys)

    accepted: dict[str, str] = {}
    for action, keys in requested.items():
        clash: tuple[str, str] | None = None
        for chain in chains:
            if not any(b.id == action for b in chain):
                continue
            for other in chain:
                if other.id == action:
                    continue
                taken = next((k for k in keys if k in keys_of(other)), None)
                if taken is not None:
                    clash = (taken, other.id)
                    break
            if clash:
                break
        if clash is not None:
            key, other_id = clash
            problems.append(
                f"config: keys: {key!r} for {action} is already the key of {other_id}; "
                f"keeping the default for {action}"
            )
        else:
            accepted[action] = ",".join(keys)
    return accepted, problems


def _suggest(action: str, known: Iterable[str]) -> str:
    """Where to look for the right id (the ``?`` screen shows keys, not ids)."""
    close = difflib.get_close_matches(action.replace("_", "-"), sorted(known), n=1, cutoff=0.7)
    if close:
        return f"did you mean {close[0]!r}?"
    return "the README's Themes and config section lists the action ids"
