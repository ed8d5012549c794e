"""`@record`: the part of `dataclasses` patchflow's objects use; every record class of patchflow is one.

Why not `dataclasses`: importing it imports `inspect` (with `ast`, `dis`, `tokenize`), some 5 ms, and
`@dataclass` writes and compiles `__init__`, `__repr__` and `__eq__` (and reads every annotation)
for each class on every start: 25 classes took another 6 ms of a one-patch run's 55. A record class
is declared as a dataclass is (annotated fields, defaults, `field(default_factory=...)`); `@record`
compiles only its `__init__`, the one method a run calls often, and gives it a plain `__repr__` and
`__eq__` (by the fields, as a dataclass compares them) and, when frozen, a `__hash__`.

What it leaves out: inheritance of fields, `ClassVar`, `__post_init__`, ordering, keyword-only
fields, and the frozen classes' refusal of assignment (a frozen record hashes by its fields: do not
change one that is a key).
"""

from __future__ import annotations

_MISSING = object()  # no default given (None is a default)


class Field:
    __slots__ = ("default", "default_factory", "repr", "compare")

    def __init__(self, default=_MISSING, default_factory=_MISSING, repr: bool = True, compare: bool = True):
        self.default = default
        self.default_factory = default_factory
        self.repr = repr
        self.compare = compare


def field(*, default=_MISSING, default_factory=_MISSING, repr: bool = True, compare: bool = True) -> object:
    """As `dataclasses.field`: a default, or a factory of one (a new list for each object)."""
    return Field(default, default_factory, repr, compare)


def record(cls=None, *, frozen: bool = False, slots: bool = False):
    """`@record`, `@record(frozen=True)`, `@record(slots=True)`: as `@dataclass` with the same flags."""
    if cls is None:
        return lambda cls: _make_record(cls, frozen, slots)
    return _make_record(cls, frozen, slots)


def _fields(cls) -> list:
    """(name, Field) of the class's own annotated fields, in their order."""
    fields = []
    for name in cls.__dict__.get("__annotations__", {}):
        value = cls.__dict__.get(name, _MISSING)
        fields.append((name, value if isinstance(value, Field) else Field(default=value)))
    return fields


def _init(cls, fields: list):
    """`__init__(self, every field)`, compiled from its text as dataclasses writes it: a call
    assigns its arguments with no loop, as fast as a hand-written one (a DiffLine per diff line)."""
    namespace = {"_MISSING": _MISSING}
    parameters, body = [], []
    for name, spec in fields:
        if spec.default_factory is not _MISSING:
            namespace[f"_factory_{name}"] = spec.default_factory
            parameters.append(f"{name}=_MISSING")
            body.append(f"    self.{name} = _factory_{name}() if {name} is _MISSING else {name}")
            continue
        if spec.default is not _MISSING:
            namespace[f"_default_{name}"] = spec.default
            parameters.append(f"{name}=_default_{name}")
        else:
            parameters.append(name)
        body.append(f"    self.{name} = {name}")
    text = f"def __init__(self, {', '.join(parameters)}):\n" + "\n".join(body or ["    pass"]) + "\n"
    exec(compile(text, f"<record {cls.__qualname__}>", "exec"), namespace)
    return namespace["__init__"]


def _first_init(cls, fields: list):
    """An `__init__` that compiles the real one (`_init`) on the class's first instance, puts it in its
    own place and calls it: a run compiles only the classes it makes (a one-patch check makes 15 of
    the 24 it imports; compiling one costs some 80 µs)."""

    def __init__(self, *args, **kwargs):
        compiled = _init(cls, fields)
        cls.__init__ = compiled
        compiled(self, *args, **kwargs)

    return __init__


def _make_record(cls, frozen: bool, slots: bool):
    fields = _fields(cls)
    if slots:  # a new class whose instances have no __dict__, as dataclass(slots=True) makes
        namespace = {key: value for key, value in cls.__dict__.items()
                     if key not in ("__dict__", "__weakref__") and key not in dict(fields)}
        namespace["__slots__"] = tuple(name for name, _ in fields)
        qualname = cls.__qualname__
        cls = type(cls)(cls.__name__, cls.__bases__, namespace)
        cls.__qualname__ = qualname
    else:
        for name, spec in fields:  # a class attribute stays only as a plain default, as dataclass leaves it
            if isinstance(cls.__dict__.get(name), Field):
                if spec.default is _MISSING:
                    delattr(cls, name)
                else:
                    setattr(cls, name, spec.default)
    shown = tuple(name for name, spec in fields if spec.repr)
    compared = tuple(name for name, spec in fields if spec.compare)
    cls.__init__ = _first_init(cls, fields)
    cls.__repr__ = lambda self: (f"{type(self).__qualname__}("
                                 + ", ".join(f"{name}={getattr(self, name)!r}" for name in shown) + ")")

    def __eq__(self, other):
        if other.__class__ is not self.__class__:
            return NotImplemented
        return tuple(getattr(self, name) for name in compared) == tuple(getattr(other, name) for name in compared)

    cls.__eq__ = __eq__
    cls.__hash__ = (lambda self: hash(tuple(getattr(self, name) for name in compared))) if frozen else None
    cls.__record_fields__ = tuple(name for name, _ in fields)
    return cls


def as_dict(obj) -> dict:
    """The record's fields by name (what `dataclasses.asdict` gives for fields of plain values)."""
    return {name: getattr(obj, name) for name in type(obj).__record_fields__}
