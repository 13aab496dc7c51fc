"""RapidOCR's detection and recognition models with their per-layer arithmetic folded into the convolutions.

PP-OCRv4's models (a PPLCNetV3 backbone) follow each convolution with a learnable affine step (× a, + b),
a hard-swish written out as four operations (+ 3, clip to 0…6, × x, ÷ 6) and a second affine step
(× c, + d): eight passes over the whole feature map for one convolution's. ONNX Runtime fuses none of
them (its Conv+Mul fusion wants the constant second and per channel; the exported graph has it first,
of shape (1,)), and on one thread they were a third of recognition's time (``bench/ocr.py``). Folded
here, exactly in real arithmetic, once per process, in memory:

- conv → × a → + b becomes the conv with weights a·W and bias a·B + b;
- x · clip(x + 3, 0, 6) / 6 becomes x · HardSigmoid(x) with α = 1/6, β = 1/2: two passes, not four;
- × c → + d → conv becomes the conv with weights c·W and, where it pads nothing, bias B + d·ΣW; where
  it pads, + d/c stays before it (the padding's zeros must stay zeros).

The outputs differ from the shipped models' by float rounding only. The models are read and written
with a small reader of protobuf's wire format (the ``onnx`` package is not needed); a model this does
not understand is used as shipped.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path

# ONNX's field numbers (onnx.proto): ModelProto.graph; GraphProto.node, .initializer, .output;
# NodeProto.input, .output, .op_type, .attribute; AttributeProto.name, .f, .ints, .t, .g, .graphs, .s, .type;
# TensorProto.dims, .data_type, .float_data, .name, .raw_data
MODEL_GRAPH = 7
GRAPH_NODE, GRAPH_INITIALIZER, GRAPH_OUTPUT = 1, 5, 12
NODE_INPUT, NODE_OUTPUT, NODE_OP = 1, 2, 4
NODE_ATTRIBUTE = 5
ATTR_NAME, ATTR_FLOAT, ATTR_STRING, ATTR_TENSOR, ATTR_GRAPH, ATTR_INTS, ATTR_GRAPHS, ATTR_TYPE = 1, 2, 4, 5, 6, 8, 11, 20
TENSOR_DIMS, TENSOR_TYPE, TENSOR_FLOATS, TENSOR_NAME, TENSOR_RAW = 1, 2, 4, 8, 9
FLOAT = 1  # TensorProto.FLOAT, and AttributeProto.FLOAT
VARINT, FIXED64, BYTES, FIXED32 = 0, 1, 2, 5


# --------------------------------------------------------------------------- protobuf's wire format


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = buf[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos
        shift += 7


def fields(buf: bytes) -> list[tuple[int, int, object]]:
    """A message's fields in order: (number, wire type, an int for a varint, else the bytes)."""
    out: list[tuple[int, int, object]] = []
    pos, end = 0, len(buf)
    while pos < end:
        key, pos = _varint(buf, pos)
        number, wire = key >> 3, key & 7
        if wire == VARINT:
            value, pos = _varint(buf, pos)
        elif wire == BYTES:
            size, pos = _varint(buf, pos)
            value, pos = buf[pos : pos + size], pos + size
        elif wire in (FIXED32, FIXED64):
            size = 4 if wire == FIXED32 else 8
            value, pos = buf[pos : pos + size], pos + size
        else:
            raise ValueError(f"protobuf wire type {wire}")
        out.append((number, wire, value))
    if pos != end:
        raise ValueError("protobuf message cut short")
    return out


def _put_varint(value: int) -> bytes:
    out = bytearray()
    while value >= 0x80:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def encode(items: list[tuple[int, int, object]]) -> bytes:
    """The message of these fields (the inverse of :func:`fields`)."""
    parts = []
    for number, wire, value in items:
        parts.append(_put_varint(number << 3 | wire))
        if wire == VARINT:
            parts.append(_put_varint(value))  # type: ignore[arg-type]
        elif wire == BYTES:
            parts += [_put_varint(len(value)), value]  # type: ignore[arg-type, list-item]
        else:
            parts.append(value)  # type: ignore[arg-type]
    return b"".join(parts)  # type: ignore[arg-type]


def _ints(wire: int, value) -> list[int]:
    """A repeated integer field's values, packed or not."""
    if wire == VARINT:
        return [value]
    out, pos = [], 0
    while pos < len(value):
        number, pos = _varint(value, pos)
        out.append(number)
    return out


def _tensor(buf: bytes):
    """A float tensor as an array (None for any other type, or data kept outside the model)."""
    import numpy as np

    dims, kind, raw, floats = [], 0, None, b""
    for number, wire, value in fields(buf):
        if number == TENSOR_DIMS:
            dims += _ints(wire, value)
        elif number == TENSOR_TYPE:
            kind = value
        elif number == TENSOR_RAW:
            raw = value
        elif number == TENSOR_FLOATS:
            floats += value  # packed, or one float a field: little-endian either way
    if kind != FLOAT:
        return None
    data = np.frombuffer(raw if raw is not None else floats, dtype="<f4")
    return data.reshape(dims) if data.size == int(np.prod(dims)) else None


def _tensor_bytes(name: str, array) -> bytes:
    items = [(TENSOR_DIMS, VARINT, int(d)) for d in array.shape]
    items += [(TENSOR_TYPE, VARINT, FLOAT), (TENSOR_NAME, BYTES, name.encode()), (TENSOR_RAW, BYTES, array.astype("<f4").tobytes())]
    return encode(items)


def _float_attribute(name: str, value: float) -> tuple[int, int, bytes]:
    body = encode([(ATTR_NAME, BYTES, name.encode()), (ATTR_FLOAT, FIXED32, struct.pack("<f", value)), (ATTR_TYPE, VARINT, FLOAT)])
    return (NODE_ATTRIBUTE, BYTES, body)


# --------------------------------------------------------------------------- the graph


@dataclass
class Node:
    op: str
    inputs: list[str]
    outputs: list[str]
    rest: list = field(default_factory=list)  # every other field (name, attributes, domain), as read

    @classmethod
    def parse(cls, buf: bytes) -> Node:
        node = cls("", [], [])
        for item in fields(buf):
            number, _, value = item
            if number == NODE_INPUT:
                node.inputs.append(value.decode())  # type: ignore[union-attr]
            elif number == NODE_OUTPUT:
                node.outputs.append(value.decode())  # type: ignore[union-attr]
            elif number == NODE_OP:
                node.op = value.decode()  # type: ignore[union-attr]
            else:
                node.rest.append(item)
        return node

    def encode(self) -> bytes:
        items = [(NODE_INPUT, BYTES, name.encode()) for name in self.inputs]
        items += [(NODE_OUTPUT, BYTES, name.encode()) for name in self.outputs]
        return encode([*items, (NODE_OP, BYTES, self.op.encode()), *self.rest])

    def attributes(self) -> dict[str, list]:
        """Each attribute's fields by its name."""
        out = {}
        for number, _, value in self.rest:
            if number == NODE_ATTRIBUTE:
                items = fields(value)  # type: ignore[arg-type]
                name = next((v.decode() for n, _, v in items if n == ATTR_NAME), "")  # type: ignore[union-attr]
                out[name] = items
        return out


class Graph:
    """A model's nodes, its float constants (Constant nodes and initializers) and the folds made on them."""

    def __init__(self, nodes: list[Node], initializers: list[bytes], outputs: set[str]):
        self.nodes, self.outputs = nodes, outputs
        self.added: dict[str, bytes] = {}  # the initializers the folds made, by name
        self.made = 0  # tensors made so far: each new name is new, even after a fold replaced one
        self.consts = {}
        for node in nodes:
            value = node.attributes().get("value") if node.op == "Constant" and len(node.outputs) == 1 else None
            tensor = next((v for n, _, v in value or () if n == ATTR_TENSOR), None)
            array = _tensor(tensor) if tensor is not None else None
            if array is not None:
                self.consts[node.outputs[0]] = array
        for buf in initializers:
            name = next((v.decode() for n, _, v in fields(buf) if n == TENSOR_NAME), "")  # type: ignore[union-attr]
            array = _tensor(buf)
            if array is not None:
                self.consts[name] = array
        self.folds = {"conv+affine": 0, "hard-swish": 0, "affine+conv": 0}

    def uses(self) -> dict[str, list[Node]]:
        out: dict[str, list[Node]] = {}
        for node in self.nodes:
            for name in node.inputs:
                out.setdefault(name, []).append(node)
        return out

    def only_use(self, uses: dict, name: str, op: str) -> Node | None:
        """The one node that reads ``name``, if it is an ``op`` and ``name`` is no output of the graph."""
        readers = uses.get(name, [])
        return readers[0] if len(readers) == 1 and readers[0].op == op and name not in self.outputs else None

    def scalar(self, node: Node | None, operand: str) -> float | None:
        """The one-element constant ``node`` applies to ``operand`` (a binary operation), or None."""
        if node is None or len(node.inputs) != 2 or operand not in node.inputs:
            return None
        other = node.inputs[1] if node.inputs[0] == operand else node.inputs[0]
        value = self.consts.get(other)
        return float(value.reshape(-1)[0]) if value is not None and value.size == 1 and other != operand else None

    def weights(self, conv: Node):
        """A conv's weights and bias (zeros where it has none), or None if they are not constants."""
        import numpy as np

        weights = self.consts.get(conv.inputs[1]) if len(conv.inputs) > 1 else None
        if weights is None or weights.ndim < 3:
            return None
        bias = self.consts.get(conv.inputs[2]) if len(conv.inputs) > 2 else np.zeros(weights.shape[0], dtype=np.float32)
        return (weights, bias) if bias is not None and bias.shape == (weights.shape[0],) else None

    def set_weights(self, conv: Node, weights, bias) -> None:
        self.made += 1
        names = [f"{conv.outputs[0]}/folded{self.made}/{part}" for part in ("W", "B")]
        for old in conv.inputs[1:]:
            self.added.pop(old, None)  # folded twice: the first fold's tensors are read by nothing
        for name, array in zip(names, (weights, bias), strict=True):
            self.consts[name] = array.astype("float32")
            self.added[name] = _tensor_bytes(name, self.consts[name])
        conv.inputs[1:] = names

    def constant(self, value: float) -> str:
        """The name of a new one-element constant."""
        import numpy as np

        self.made += 1
        name = f"folded{self.made}/scalar"
        self.consts[name] = np.array([value], dtype=np.float32)
        self.added[name] = _tensor_bytes(name, self.consts[name])
        return name

    def drop(self, *nodes: Node) -> None:
        ids = {id(node) for node in nodes}
        self.nodes = [node for node in self.nodes if id(node) not in ids]

    def conv_affine(self) -> None:
        """conv → × a → + b: one conv with weights a·W and bias a·B + b."""
        uses = self.uses()
        for conv in [node for node in self.nodes if node.op == "Conv" and len(node.outputs) == 1]:
            found = self.weights(conv)
            mul = self.only_use(uses, conv.outputs[0], "Mul")
            a = self.scalar(mul, conv.outputs[0])
            if found is None or mul is None or a is None:
                continue
            add = self.only_use(uses, mul.outputs[0], "Add")
            b = self.scalar(add, mul.outputs[0])
            last = add if add is not None and b is not None else mul
            weights, bias = found
            self.set_weights(conv, weights * a, bias * a + (b or 0.0))
            conv.outputs[0] = last.outputs[0]  # the conv writes what the last step wrote: its readers are unchanged
            self.drop(mul, last)
            self.folds["conv+affine"] += 1

    def hard_swish(self) -> None:
        """x · clip(x + 3, 0, 6) / 6 → x · HardSigmoid(x) (α = 1/6, β = 1/2)."""
        uses = self.uses()
        for add in [node for node in self.nodes if node.op == "Add" and len(node.outputs) == 1]:
            x = next((name for name in add.inputs if self.scalar(add, name) == 3.0), None)
            clip = self.only_use(uses, add.outputs[0], "Clip") if x is not None else None
            if clip is None or len(clip.inputs) != 3 or clip.inputs[0] != add.outputs[0]:
                continue
            low, high = (self.consts.get(name) for name in clip.inputs[1:])
            if (
                low is None
                or high is None
                or low.size != 1
                or high.size != 1
                or float(low.reshape(-1)[0]) != 0
                or float(high.reshape(-1)[0]) != 6
            ):
                continue
            mul = self.only_use(uses, clip.outputs[0], "Mul")
            div = (
                self.only_use(uses, mul.outputs[0], "Div")
                if mul is not None and sorted(mul.inputs) == sorted([x, clip.outputs[0]])
                else None
            )
            if div is None or div.inputs[0] != mul.outputs[0] or self.scalar(div, mul.outputs[0]) != 6.0:
                continue
            add.op, add.inputs, add.outputs = "HardSigmoid", [x], [clip.outputs[0]]
            add.rest = [item for item in add.rest if item[0] != NODE_ATTRIBUTE]
            add.rest += [_float_attribute("alpha", 1 / 6), _float_attribute("beta", 0.5)]
            mul.outputs = [div.outputs[0]]
            self.drop(clip, div)
            self.folds["hard-swish"] += 1

    def affine_conv(self) -> None:
        """× c → + d → conv: the conv with weights c·W, and bias B + d·ΣW where it pads nothing (else + d/c before it)."""
        uses = self.uses()
        for mul in [node for node in self.nodes if node.op == "Mul" and len(node.outputs) == 1 and len(node.inputs) == 2]:
            x = next((name for name in mul.inputs if self.scalar(mul, name) not in (None, 0.0)), None)
            add = self.only_use(uses, mul.outputs[0], "Add") if x is not None else None
            d = self.scalar(add, mul.outputs[0])
            conv = self.only_use(uses, add.outputs[0], "Conv") if add is not None and d is not None else None
            found = self.weights(conv) if conv is not None and conv.inputs[0] == add.outputs[0] else None
            if found is None:
                continue
            c, (weights, bias) = self.scalar(mul, x), found
            if _pads_nothing(conv):
                summed = weights.reshape(weights.shape[0], -1).sum(axis=1)
                self.set_weights(conv, weights * c, bias + d * summed)
                conv.inputs[0] = x
                self.drop(mul, add)
            else:
                self.set_weights(conv, weights * c, bias)
                add.inputs = [x, self.constant(d / c)]
                self.drop(mul)
            self.folds["affine+conv"] += 1


def _pads_nothing(conv: Node) -> bool:
    attributes = conv.attributes()
    auto = next((v for n, _, v in attributes.get("auto_pad", ()) if n == ATTR_STRING), b"NOTSET")
    pads = [p for n, w, v in attributes.get("pads", ()) if n == ATTR_INTS for p in _ints(w, v)]
    return auto in (b"NOTSET", b"VALID") and not any(pads)


def fold(model: bytes) -> tuple[bytes, dict[str, int]]:
    """The model with its affine steps and hard-swishes folded, and how many of each; the model as it was if none.

    Raises:
        ValueError: the bytes are no model this reads (a subgraph, a cut message).
    """
    top = fields(model)
    at = [i for i, item in enumerate(top) if item[0] == MODEL_GRAPH]
    if len(at) != 1:
        raise ValueError("no graph, or more than one")
    items = fields(top[at[0]][2])  # type: ignore[arg-type]
    nodes = [Node.parse(v) for n, _, v in items if n == GRAPH_NODE]  # type: ignore[arg-type]
    if any(n in (ATTR_GRAPH, ATTR_GRAPHS) for node in nodes for attr in node.attributes().values() for n, _, _ in attr):
        raise ValueError("a node with a subgraph")  # its reads are not counted here
    outputs = {next((v.decode() for n, _, v in fields(o) if n == 1), "") for n, _, o in items if n == GRAPH_OUTPUT}  # type: ignore
    graph = Graph(nodes, [v for n, _, v in items if n == GRAPH_INITIALIZER], outputs)  # type: ignore[misc]
    graph.conv_affine()
    graph.hard_swish()
    graph.affine_conv()
    read = graph.uses().keys() | outputs
    graph.nodes = [node for node in graph.nodes if node.op != "Constant" or any(name in read for name in node.outputs)]
    if not any(graph.folds.values()):
        return model, graph.folds
    body = [item for item in items if item[0] != GRAPH_NODE]
    body += [(GRAPH_NODE, BYTES, node.encode()) for node in graph.nodes]
    body += [(GRAPH_INITIALIZER, BYTES, buf) for buf in graph.added.values()]
    top[at[0]] = (MODEL_GRAPH, BYTES, encode(body))
    return encode(top), graph.folds


def fold_engine(engine) -> dict[str, int]:
    """Give a RapidOCR engine's detector and recogniser sessions of their models folded; the folds made, by kind.

    Each session is made as RapidOCR makes its own (one thread, no memory arena, every graph optimisation).
    A model that cannot be folded keeps its shipped session: the same text, at more CPU.
    """
    import onnxruntime as ort
    from rapidocr_onnxruntime.main import DEFAULT_CFG_PATH
    from rapidocr_onnxruntime.utils import read_yaml, update_model_path

    config = update_model_path(read_yaml(DEFAULT_CFG_PATH))
    made: dict[str, int] = {}
    for part, section in ((engine.text_det, "Det"), (engine.text_rec, "Rec")):
        holder = getattr(part, "infer", None) or getattr(part, "session", None)  # RapidOCR's wrapper of its session
        if not isinstance(getattr(holder, "session", None), ort.InferenceSession):
            continue  # a RapidOCR of another make: its models as they are
        try:
            folded, folds = fold(Path(config[section]["model_path"]).read_bytes())
        except (OSError, ValueError, IndexError, KeyError, UnicodeDecodeError):
            continue  # a model of another make: used as shipped
        if not any(folds.values()):
            continue
        options = ort.SessionOptions()
        options.log_severity_level = 4
        options.enable_cpu_mem_arena = False
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.intra_op_num_threads = options.inter_op_num_threads = 1
        holder.session = ort.InferenceSession(folded, sess_options=options, providers=["CPUExecutionProvider"])
        for kind, count in folds.items():
            made[kind] = made.get(kind, 0) + count
    return made
