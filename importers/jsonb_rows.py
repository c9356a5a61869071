"""The attributes an import keeps as JSON (a thematic layer's `properties`), one jsonb object
per row, made column by column with pyarrow instead of by pandas' `to_json` row by row.

`to_json` of 200k rows took 0.3 s of an import's COPY, which the server waited for. Here each
column becomes its JSON text in one vectorised pass (strings escaped with a few
`replace_substring` passes, numbers formatted with numpy), and the rows are joined with
`binary_join_element_wise`. The values parse to exactly what
`frame.to_json(orient="records", lines=True, force_ascii=False, date_format="iso",
default_handler=str)` gave (`to_json_lines`, kept as the reference and as the fallback for
column dtypes this module does not format itself: dates, timestamps, categoricals, mixed or
nested objects).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from importers.copy_binary import Var

_S = pa.large_string()
_NULL = pa.scalar("null", _S)
_NOTHING = pa.scalar("", _S)
# JSON must escape the control characters; the short forms are what to_json writes too.
_SHORT = {"\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def to_json_lines(frame: pd.DataFrame) -> str:
    """What the writer sent before this module: pandas' JSON lines of the rows."""
    return frame.to_json(orient="records", lines=True, force_ascii=False, date_format="iso",
                         default_handler=str)


def encode(frame: pd.DataFrame) -> Var:
    """Each row of `frame` as jsonb binary input: the version byte 1, then a JSON object of
    the row's columns in order (missing, NaN and ±inf → null)."""
    n = len(frame)
    if n == 0:
        return Var(np.zeros(0, np.uint8), np.zeros(1, np.int64))
    if frame.shape[1] == 0:
        return _constant("\x01{}", n)
    if not frame.columns.is_unique:  # to_json refuses these: let it say so
        return _lines_to_var(to_json_lines(frame), n, prefix="\x01", strip=0)
    parts: list[pa.Array | pa.Scalar] = []
    for i, name in enumerate(frame.columns):
        key = json.dumps(str(name), ensure_ascii=False)
        parts.append(pa.scalar(("\x01{" if i == 0 else ",") + key + ":", _S))
        parts.append(_column_json(frame.iloc[:, i]))
    parts.append(pa.scalar("}", _S))
    return Var.from_arrow(pc.binary_join_element_wise(*parts, _NOTHING))


def _constant(text: str, n: int) -> Var:
    raw = np.frombuffer(text.encode(), dtype=np.uint8)
    return Var(np.tile(raw, n), np.arange(n + 1, dtype=np.int64) * len(raw))


def _column_json(series: pd.Series) -> pa.Array:
    """The JSON text of each value of one column (large_string, no nulls)."""
    dtype = series.dtype
    try:
        if pd.api.types.is_bool_dtype(dtype):
            return _booleans(series)
        if pd.api.types.is_integer_dtype(dtype):
            return _integers(series)
        if pd.api.types.is_float_dtype(dtype):
            return _floats(series)
        if _is_text(series):
            return _strings(series)
        if pd.api.types.is_object_dtype(dtype) and series.isna().all():
            return pa.array(np.full(len(series), "null", dtype=object), _S)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError):
        pass  # e.g. a string with a lone surrogate: to_json decides what it does with it
    return _fallback(series)


def _is_text(series: pd.Series) -> bool:
    dtype = series.dtype
    if isinstance(dtype, pd.StringDtype):
        return True
    if isinstance(dtype, pd.ArrowDtype):
        return pa.types.is_string(dtype.pyarrow_dtype) or \
            pa.types.is_large_string(dtype.pyarrow_dtype)
    return pd.api.types.is_object_dtype(dtype) and \
        pd.api.types.infer_dtype(series, skipna=True) == "string"


def _arrow(series: pd.Series, type_: pa.DataType | None = None) -> pa.Array:
    if isinstance(series.dtype, pd.api.extensions.ExtensionDtype):
        array = pa.array(series.array)
        if isinstance(array, pa.ChunkedArray):
            array = array.combine_chunks()
        return array if type_ is None else array.cast(type_)
    return pa.array(series.to_numpy(), type=type_, from_pandas=True)


def _booleans(series: pd.Series) -> pa.Array:
    values = _arrow(series, pa.bool_())
    text = pc.if_else(values, pa.scalar("true", _S), pa.scalar("false", _S))
    return pc.fill_null(text, _NULL)


def _integers(series: pd.Series) -> pa.Array:
    return pc.fill_null(pc.cast(_arrow(series), _S), _NULL)


def _strings(series: pd.Series) -> pa.Array:
    values = _arrow(series, _S) if not isinstance(series.dtype, pd.api.extensions.
                                                  ExtensionDtype) else _arrow(series)
    if values.type != _S:
        values = values.cast(_S)
    # Which bytes need escaping is looked up once on the whole buffer (a numpy pass each),
    # so a column without any costs no replace pass.
    raw = _text_bytes(values)
    if (raw == 0x5C).any():
        values = pc.replace_substring(values, "\\", "\\\\")
    if (raw == 0x22).any():
        values = pc.replace_substring(values, '"', '\\"')
    if (raw < 0x20).any():
        for code in np.unique(raw[raw < 0x20]).tolist():
            char = chr(code)
            values = pc.replace_substring(values, char, _SHORT.get(char, f"\\u{code:04x}"))
    quoted = pc.binary_join_element_wise(pa.scalar('"', _S), values, pa.scalar('"', _S),
                                         _NOTHING)
    return pc.fill_null(quoted, _NULL)


def _text_bytes(values: pa.Array) -> np.ndarray:
    """The bytes of a (large_)string array's values (of this slice only, not the whole
    buffer a slice shares with its parent)."""
    _validity, offsets, data = values.buffers()
    if data is None or len(values) == 0:
        return np.zeros(0, np.uint8)
    width = np.int64 if pa.types.is_large_string(values.type) else np.int32
    at = np.frombuffer(offsets, dtype=width)[values.offset: values.offset + len(values) + 1]
    return np.frombuffer(data, dtype=np.uint8)[at[0]:at[-1]]


_POW10 = 1e10  # to_json's double_precision=10: ten decimals, rounded as ujson rounds them


def _floats(series: pd.Series) -> pa.Array:
    """Floats as pandas' ujson writes them with double_precision 10
    (Buffer_AppendDoubleUnchecked): below 1e16 and above 1e-15 the whole part, a point and
    up to ten decimals without trailing zeros (at least one digit), rounded half-odd from the
    truncated eleventh; others as C's "%.10g". NaN and ±inf are null."""
    value = series.to_numpy(dtype="float64", na_value=np.nan)
    bad = ~np.isfinite(value)
    value = np.where(bad, 0.0, value)
    neg = value < 0
    size = np.abs(value)
    exponent = (size > 1e16 - 1) | ((size != 0) & (size < 1e-15))
    size = np.where(exponent, 0.0, size)
    whole = size.astype(np.uint64)
    tmp = (size - whole.astype(np.float64)) * _POW10
    frac = tmp.astype(np.uint64)
    diff = tmp - frac.astype(np.float64)
    frac += ((diff > 0.5) | ((diff == 0.5) & ((frac == 0) | (frac & np.uint64(1) == 1)))
             ).astype(np.uint64)
    roll = frac >= np.uint64(_POW10)
    frac[roll] = 0
    whole += roll.astype(np.uint64)
    decimals = pc.ascii_rtrim(pc.ascii_lpad(pc.cast(pa.array(frac), _S), 10, "0"), "0")
    if (frac == 0).any():
        decimals = pc.if_else(pa.array(frac == 0), pa.scalar("0", _S), decimals)
    parts = [pc.cast(pa.array(whole), _S), pa.scalar(".", _S), decimals]
    if neg.any():
        parts.insert(0, pc.if_else(pa.array(neg), pa.scalar("-", _S), _NOTHING))
    text = pc.binary_join_element_wise(*parts, _NOTHING)
    exponent &= ~bad
    if exponent.any():  # rare: formatted one by one, only these
        rows = np.flatnonzero(exponent)
        text = pc.replace_with_mask(text, pa.array(exponent), pa.array(
            [f"{v:.10g}" for v in value[rows].tolist()], _S))
    return pc.if_else(pa.array(bad), _NULL, text)


def _fallback(series: pd.Series) -> pa.Array:
    """One column through to_json itself (as a one-column frame named "k": each line is
    `{"k":VALUE}`)."""
    lines = to_json_lines(series.to_frame("k"))
    var = _lines_to_var(lines, len(series), prefix="", strip=5)
    return var.arrow().cast(_S)


def _lines_to_var(text: str, n: int, *, prefix: str, strip: int) -> Var:
    """JSON lines (each ending with a newline) as a Var of their text less `strip` leading
    bytes and the closing brace (strip > 0) or the newline alone, behind `prefix`."""
    raw = np.frombuffer(text.encode(), dtype=np.uint8)
    ends = np.flatnonzero(raw == 10)
    if len(ends) != n:
        raise ValueError(f"to_json gave {len(ends)} lines for {n} rows")
    starts = np.concatenate([[0], ends[:-1] + 1]).astype(np.int64)
    offsets = np.concatenate([starts, [len(raw)]]).astype(np.int64)
    lines = Var(raw, offsets).arrow()
    stop = -2 if strip else -1
    values = pc.binary_slice(lines, strip, stop)
    if prefix:
        values = pc.binary_join_element_wise(pa.scalar(prefix.encode(), pa.large_binary()),
                                             values, pa.scalar(b"", pa.large_binary()))
    return Var.from_arrow(values)
