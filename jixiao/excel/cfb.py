"""A minimal compound file (MS-CFB, version 3) writer — the container of a vbaProject.bin.

Writes storages and streams; streams under 4096 bytes go to the mini stream as
the specification requires. Deterministic: the same tree gives the same bytes
(no timestamps, fixed CLSIDs), so template builds are reproducible.

>>> data = write_cfb({"PROJECT": b"ID=...", "VBA": {"dir": b"..."}})
>>> data[:8] == bytes.fromhex("D0CF11E0A1B11AE1")
True
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import Union

SECTOR = 512
MINI = 64
CUTOFF = 4096
FREE, ENDOFCHAIN, FATSECT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
NOSTREAM = 0xFFFFFFFF

Tree = dict[str, Union[bytes, "Tree"]]


@dataclass
class _Node:
    name: str
    kind: int  # 1 storage, 2 stream, 5 root
    data: bytes = b""
    children: list["_Node"] = field(default_factory=list)
    sid: int = 0
    left: int = NOSTREAM
    right: int = NOSTREAM
    child: int = NOSTREAM
    start: int = ENDOFCHAIN
    size: int = 0


def _key(name: str) -> tuple[int, str]:
    """MS-CFB order of siblings: shorter names first, then by upper-case name."""
    return (len(name), name.upper())


def _build(tree: Tree, name: str, kind: int) -> _Node:
    node = _Node(name, kind)
    for child_name, value in tree.items():
        if isinstance(value, dict):
            node.children.append(_build(value, child_name, 1))
        else:
            node.children.append(_Node(child_name, 2, bytes(value)))
    node.children.sort(key=lambda n: _key(n.name))
    return node


def _balance(nodes: list[_Node]) -> int:
    """Link sorted siblings as a balanced binary tree; returns the root's id (all nodes black)."""
    if not nodes:
        return NOSTREAM
    mid = len(nodes) // 2
    root = nodes[mid]
    root.left = _balance(nodes[:mid])
    root.right = _balance(nodes[mid + 1:])
    return root.sid


def _chain(fat: list[int], start: int, count: int) -> None:
    for i in range(count):
        fat[start + i] = start + i + 1 if i < count - 1 else ENDOFCHAIN


def write_cfb(tree: Tree) -> bytes:
    """Serialise ``{name: bytes | {…}}`` (streams and storages) as a compound file."""
    root = _build(tree, "Root Entry", 5)
    nodes: list[_Node] = []

    def number(node: _Node) -> None:
        node.sid = len(nodes)
        nodes.append(node)
        for c in node.children:
            number(c)
    number(root)
    for node in nodes:
        node.child = _balance(node.children)

    # mini stream: small streams, 64-byte mini sectors
    mini_data = bytearray()
    minifat: list[int] = []
    big: list[_Node] = []
    for node in nodes:
        if node.kind != 2:
            continue
        node.size = len(node.data)
        if node.size == 0:
            node.start = ENDOFCHAIN
        elif node.size < CUTOFF:
            first = len(minifat)
            count = -(-node.size // MINI)
            minifat.extend([0] * count)
            _chain(minifat, first, count)
            node.start = first
            mini_data += node.data + b"\0" * (count * MINI - node.size)
        else:
            big.append(node)

    dir_sectors = -(-len(nodes) * 128 // SECTOR)
    minifat_sectors = -(-len(minifat) * 4 // SECTOR)
    ministream_sectors = -(-len(mini_data) // SECTOR)
    big_sectors = sum(-(-n.size // SECTOR) for n in big)
    content = dir_sectors + minifat_sectors + ministream_sectors + big_sectors
    fat_sectors = 1
    while fat_sectors * (SECTOR // 4) < content + fat_sectors:
        fat_sectors += 1
    if fat_sectors > 109:
        raise ValueError("VBA project too large for this writer (no DIFAT)")

    fat = [FREE] * (fat_sectors * SECTOR // 4)
    for i in range(fat_sectors):
        fat[i] = FATSECT
    cursor = fat_sectors
    dir_start = cursor
    _chain(fat, cursor, dir_sectors)
    cursor += dir_sectors
    minifat_start = cursor if minifat_sectors else ENDOFCHAIN
    _chain(fat, cursor, minifat_sectors)
    cursor += minifat_sectors
    root.start = cursor if ministream_sectors else ENDOFCHAIN
    root.size = len(mini_data)
    _chain(fat, cursor, ministream_sectors)
    cursor += ministream_sectors
    for node in big:
        count = -(-node.size // SECTOR)
        node.start = cursor
        _chain(fat, cursor, count)
        cursor += count

    header = bytearray(SECTOR)
    struct.pack_into("<8s16sHHHHH6sIIIIIIIII", header, 0, bytes.fromhex("D0CF11E0A1B11AE1"), b"\0" * 16,
                     0x003E, 0x0003, 0xFFFE, 9, 6, b"\0" * 6, 0, fat_sectors, dir_start, 0, CUTOFF,
                     minifat_start, minifat_sectors, ENDOFCHAIN, 0)
    difat = [i for i in range(fat_sectors)] + [FREE] * (109 - fat_sectors)
    struct.pack_into("<109I", header, 76, *difat)

    out = bytearray(header)
    out += struct.pack(f"<{len(fat)}I", *fat)
    directory = bytearray()
    for node in nodes:
        name = node.name.encode("utf-16-le") + b"\0\0"
        if len(name) > 64:
            raise ValueError(f"name too long for a compound file: {node.name}")
        directory += struct.pack("<64sHBBIII16sIQQIQ", name, len(name), node.kind, 1, node.left, node.right,
                                 node.child, b"\0" * 16, 0, 0, 0,
                                 node.start if node.kind != 1 else 0, node.size)
    directory += b"\0" * (dir_sectors * SECTOR - len(directory))
    for i in range(len(nodes), dir_sectors * SECTOR // 128):  # unused entries: empty, no siblings
        struct.pack_into("<III", directory, i * 128 + 68, NOSTREAM, NOSTREAM, NOSTREAM)
    out += directory
    if minifat_sectors:
        packed = struct.pack(f"<{len(minifat)}I", *minifat)
        out += packed + struct.pack("<I", FREE) * ((minifat_sectors * SECTOR - len(packed)) // 4)
    out += mini_data + b"\0" * (ministream_sectors * SECTOR - len(mini_data))
    for node in big:
        out += node.data + b"\0" * (-(-node.size // SECTOR) * SECTOR - node.size)
    return bytes(out)
