#!/usr/bin/python3
"""A second, independent verifier of Laurel's audit export (format "laurel-audit/1").

Written from the format documents only -- API.md ("Audit"), storage/AUDIT_FORMAT.md, RFC 9162
section 2.1 (Merkle tree, inclusion and consistency proofs), and C2SP's signed-note and
tlog-checkpoint specifications -- not from Laurel's C++ code: if both accept the same exports and
refuse the same forgeries, the format is what the documents say.

    /usr/bin/python3 tests/audit/verify_export.py EXPORT --key VKEY [--key VKEY ...]
        [--trusted-checkpoint FILE] [--proofs FILE]

VKEY is a verifier key "<name>+<8 hex key id>+<base64(0x01 || Ed25519 public key)>" or @FILE.
--trusted-checkpoint: a checkpoint note saved earlier; the export must extend it (its first N
leaves must give the trusted root), else the log was rolled back, truncated or rewritten.
--proofs: a file of JSON lines {"index","size","hashes"} (inclusion) and {"from","to","hashes"}
(consistency), as the server's proof endpoints answer, checked against roots recomputed here.

Exit status: 0 verified, 1 the export (or a proof) does not verify, 2 cannot run (usage, missing
Ed25519 library). Ed25519 comes from Debian's python3-nacl, or python3-cryptography as a fallback.
"""

import argparse
import base64
import hashlib
import json
import re
import sys

FORMAT = "laurel-audit/1"
EM_DASH = "\u2014"
MAX_DEPTH = 32


class Failure(Exception):
    """The export or a proof does not verify."""


def ed25519_verifier():
    try:
        from nacl.exceptions import BadSignatureError
        from nacl.signing import VerifyKey

        def verify(public_key, message, signature):
            try:
                VerifyKey(public_key).verify(message, signature)
                return True
            except BadSignatureError:
                return False

        return verify
    except ImportError:
        pass
    try:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

        def verify(public_key, message, signature):
            try:
                Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
                return True
            except InvalidSignature:
                return False

        return verify
    except ImportError:
        return None


def strict_b64(text, what):
    """Standard base64 with padding, and only one spelling of each value."""
    try:
        raw = base64.b64decode(text, validate=True)
    except (ValueError, TypeError):
        raise Failure(f"{what} is not valid base64")
    if base64.b64encode(raw).decode("ascii") != text:
        raise Failure(f"{what} is not canonical base64")
    return raw


# --- RFC 9162 section 2.1 --------------------------------------------------------------------

def leaf_hash(data):
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def largest_power_of_two_below(n):
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(leaves, lo, hi):
    """MTH(D[lo:hi]) exactly as RFC 9162 2.1.1 defines it (leaves are leaf hashes)."""
    n = hi - lo
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return leaves[lo]
    k = largest_power_of_two_below(n)
    return node_hash(mth(leaves, lo, lo + k), mth(leaves, lo + k, hi))


def verify_inclusion(index, size, leaf, proof, root):
    """RFC 9162 2.1.3.2."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn % 2 == 1 or fn == sn:
            r = node_hash(p, r)
            if fn % 2 == 0:
                while fn % 2 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(first, second, first_root, second_root, proof):
    """RFC 9162 2.1.4.2 (with its trivial cases: equal sizes, and the empty old tree)."""
    if first > second:
        return False
    if first == second:
        return not proof and first_root == second_root
    if first == 0:
        return not proof
    if not proof:
        return False
    path = list(proof)
    if first & (first - 1) == 0:  # a power of two: the old root is the first node
        path = [first_root] + path
    fn, sn = first - 1, second - 1
    while fn % 2 == 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn % 2 == 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if fn % 2 == 0:
                while fn % 2 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == first_root and sr == second_root and sn == 0


# --- C2SP signed-note and tlog-checkpoint ----------------------------------------------------

class VerifierKey:
    def __init__(self, text):
        parts = text.split("+", 2)  # the name has no '+'; the base64 key may
        if len(parts) != 3:
            raise Failure(f"verifier key {text!r} is not <name>+<key id>+<key>")
        name, key_id, key = parts
        if not name or any(c.isspace() or ord(c) < 0x20 or ord(c) == 0x7F for c in name):
            raise Failure(f"verifier key {text!r} has an invalid name")
        if not re.fullmatch(r"[0-9a-f]{8}", key_id):
            raise Failure(f"verifier key {text!r}: the key id is not 8 lowercase hex digits")
        raw = strict_b64(key, "the verifier key")
        if len(raw) != 33 or raw[0] != 0x01:
            raise Failure(f"verifier key {text!r} is not an Ed25519 key (0x01 and 32 bytes)")
        self.name = name
        self.public_key = raw[1:]
        self.key_id = bytes.fromhex(key_id)
        computed = hashlib.sha256(name.encode("utf-8") + b"\n" + b"\x01" + self.public_key).digest()[:4]
        if computed != self.key_id:
            raise Failure(f"verifier key {text!r}: its key id does not match the key")

    def identity(self):
        return (self.name, self.key_id, self.public_key)


def verify_note(note, keys, ed25519, what, rotation_points=None):
    """Returns the note's text when a signature by one of `keys` verifies. A key retired by a
    rotation (rotation_points: (name, key id, public key) -> the size of the last checkpoint it may
    sign) verifies no checkpoint larger than that."""
    split = note.rfind("\n\n")
    if split < 0 or not note.endswith("\n"):
        raise Failure(f"{what} is not a signed note")
    text = note[: split + 1]
    lines = note[split + 2 :].split("\n")[:-1]
    if not lines:
        raise Failure(f"{what} has no signature")
    bad = None
    for line in lines:
        if not line.startswith(EM_DASH + " "):
            raise Failure(f"{what}: signature line {line!r} does not start with an em dash")
        name, _, sig64 = line[2:].partition(" ")
        sig = strict_b64(sig64, f"{what}'s signature")
        if len(sig) < 5:
            raise Failure(f"{what}: signature too short")
        for key in keys:
            if key.name == name and key.key_id == sig[:4]:
                if len(sig) == 68 and ed25519(key.public_key, text.encode("utf-8"), sig[4:]):
                    point = (rotation_points or {}).get(key.identity())
                    size_line = text.split("\n")[1] if text.count("\n") >= 2 else ""
                    if point is not None and size_line.isdigit() and int(size_line) > point:
                        bad = (f"{what} is signed by {name} ({key.key_id.hex()}) for {size_line} records, "
                               f"but that key was retired at size {point}")
                        continue
                    return text
                bad = f"{what}: the signature by {name} ({key.key_id.hex()}) does not verify"
    raise Failure(bad or f"{what} is not signed by any of the given keys")


def parse_checkpoint(text, what):
    lines = text.split("\n")
    if lines[-1] != "" or len(lines) < 4:
        raise Failure(f"{what}: expected origin, size and root lines")
    lines = lines[:-1]
    if len(lines) > 3:
        raise Failure(f"{what}: unexpected extension lines (laurel-audit/1 writes none)")
    origin, size, root = lines
    if not origin:
        raise Failure(f"{what}: empty origin")
    if not re.fullmatch(r"0|[1-9][0-9]*", size) or int(size) >= 2**64:
        raise Failure(f"{what}: the size is not a canonical decimal number")
    root = strict_b64(root, f"{what}'s root")
    if len(root) != 32:
        raise Failure(f"{what}: the root is not 32 bytes")
    return origin, int(size), root


# --- canonical JSON (storage/AUDIT_FORMAT.md) -------------------------------------------------

def _refuse(kind):
    def hook(value):
        raise ValueError(f"{kind} {value!r} is not allowed")
    return hook


def _pairs(pairs):
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        raise ValueError("duplicate key")
    return dict(pairs)


def _escape(s):
    out = ['"']
    for ch in s:
        c = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch in "\b\f\n\r\t":
            out.append({"\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}[ch])
        elif c < 0x20:
            out.append("\\u%04x" % c)
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def canonical(value, depth=0):
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        if not -(2**63) <= value < 2**64:
            raise ValueError("integer out of range")
        return str(value)
    if isinstance(value, str):
        return _escape(value)
    if depth >= MAX_DEPTH:
        raise ValueError("nested too deeply")
    if isinstance(value, list):
        return "[" + ",".join(canonical(v, depth + 1) for v in value) + "]"
    if isinstance(value, dict):
        items = sorted(value.items(), key=lambda kv: kv[0].encode("utf-8"))
        return "{" + ",".join(_escape(k) + ":" + canonical(v, depth + 1) for k, v in items) + "}"
    raise ValueError(f"{type(value).__name__} is not allowed")


def is_canonical(data):
    try:
        value = json.loads(data.decode("utf-8"), object_pairs_hook=_pairs,
                           parse_float=_refuse("number"), parse_constant=_refuse("constant"))
        return canonical(value).encode("utf-8") == data
    except (ValueError, UnicodeError, RecursionError):
        return False


# --- the export ------------------------------------------------------------------------------

def read_export(path):
    with open(path, "rb") as f:
        raw = f.read()
    if not raw.endswith(b"\n"):
        raise Failure("the export does not end with a newline (cut short?)")
    lines = raw[:-1].split(b"\n")
    try:
        header = json.loads(lines[0])
    except ValueError:
        raise Failure("line 1 is not JSON")
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise Failure(f'line 1 is not the header of a "{FORMAT}" export')
    if not isinstance(header.get("origin"), str) or not isinstance(header.get("key"), str):
        raise Failure("the header lacks origin or key")
    try:
        last = json.loads(lines[-1])
    except ValueError:
        last = None
    if len(lines) < 2 or not isinstance(last, dict) or list(last) != ["checkpoint"] or not isinstance(last["checkpoint"], str):
        raise Failure("the last line is not the checkpoint line (the export was cut short?)")
    leaves = []
    rotation_points = {}
    for number, line in enumerate(lines[1:-1], start=2):
        try:
            record = json.loads(line)
        except ValueError:
            raise Failure(f"line {number} is not JSON")
        if not isinstance(record, dict) or set(record) != {"index", "leaf"}:
            raise Failure(f"line {number} is not a record line")
        index = record["index"]
        if type(index) is not int or index != len(leaves):
            raise Failure(f"line {number}: record index {index!r} where {len(leaves)} was expected (missing or reordered records)")
        data = strict_b64(record["leaf"], f"record {index}'s leaf")
        if not is_canonical(data):
            raise Failure(f"record {index} is not canonical JSON")
        leaves.append(leaf_hash(data))
        # A key rotation (storage/AUDIT_FORMAT.md section 4): the retired key signs nothing after the
        # checkpoint that covers this record, of size index + 1.
        value = json.loads(data) if b'"rotate_key"' in data else {}
        if value.get("kind") == "system" and value.get("action") == "rotate_key":
            try:
                retired = VerifierKey(value["old"]["verifier_key"]).identity()
            except (Failure, KeyError, TypeError):
                raise Failure(f"record {index} is a key rotation without a valid old verifier key")
            rotation_points.setdefault(retired, index + 1)
    return header, leaves, last["checkpoint"], rotation_points


def load_text(arg):
    if arg.startswith("@"):
        with open(arg[1:], encoding="utf-8") as f:
            return f.read().strip()
    return arg.strip()


def check_proofs(path, leaves):
    roots = {}

    def root(size):
        if size not in roots:
            roots[size] = mth(leaves, 0, size)
        return roots[size]

    count = 0
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, start=1):
            if not line.strip():
                continue
            p = json.loads(line)
            hashes = [strict_b64(h, f"proof line {number}") for h in p["hashes"]]
            if "index" in p:
                index, size = p["index"], p["size"]
                if not 0 <= index < size <= len(leaves) or not verify_inclusion(index, size, leaves[index], hashes, root(size)):
                    raise Failure(f"proof line {number}: the inclusion proof of record {index} in the tree of {size} does not verify")
            else:
                first, second = p["from"], p["to"]
                if not 0 <= first <= second <= len(leaves) or not verify_consistency(first, second, root(first), root(second), hashes):
                    raise Failure(f"proof line {number}: the consistency proof from {first} to {second} does not verify")
            count += 1
    return count


def main():
    parser = argparse.ArgumentParser(description="Verify a Laurel audit export offline.")
    parser.add_argument("export")
    parser.add_argument("--key", action="append", required=True, help="verifier key, or @FILE")
    parser.add_argument("--trusted-checkpoint", help="a checkpoint note saved earlier")
    parser.add_argument("--proofs", help="JSON lines of inclusion and consistency proofs to check")
    args = parser.parse_args()

    ed25519 = ed25519_verifier()
    if ed25519 is None:
        print("cannot run: neither python3-nacl nor python3-cryptography is installed", file=sys.stderr)
        return 2
    try:
        keys = [VerifierKey(load_text(k)) for k in args.key]
        header, leaves, note, rotation_points = read_export(args.export)
        origin, size, root = parse_checkpoint(verify_note(note, keys, ed25519, "the export's checkpoint", rotation_points),
                                              "the export's checkpoint")
        if origin != header["origin"]:
            raise Failure(f"the checkpoint's origin {origin!r} is not the header's {header['origin']!r}")
        if size != len(leaves):
            raise Failure(f"the checkpoint covers {size} records but the export holds {len(leaves)} (truncated or padded)")
        if mth(leaves, 0, size) != root:
            raise Failure("the records do not give the checkpoint's root hash (a record was changed, added, removed or reordered)")
        message = f"ok: {size} records, checkpoint verified ({origin})"
        if args.trusted_checkpoint:
            with open(args.trusted_checkpoint, encoding="utf-8") as f:
                trusted_note = f.read()
            t_origin, t_size, t_root = parse_checkpoint(verify_note(trusted_note, keys, ed25519, "the trusted checkpoint", rotation_points),
                                                        "the trusted checkpoint")
            if t_origin != origin:
                raise Failure(f"the trusted checkpoint is of another log ({t_origin!r})")
            if t_size > size:
                raise Failure(f"rollback or truncation: the trusted checkpoint covers {t_size} records, the export only {size}")
            if mth(leaves, 0, t_size) != t_root:
                raise Failure(f"the export is not consistent with the trusted checkpoint: its first {t_size} records give another root")
            message += f"; extends the trusted checkpoint of size {t_size}"
        if args.proofs:
            message += f"; {check_proofs(args.proofs, leaves)} proofs verified"
        print(message)
        return 0
    except Failure as failure:
        print(f"FAIL: {failure}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"cannot run: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
