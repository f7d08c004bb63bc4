"""JSON text rewriting for the streaming comparison scripts (sarif_stream.sh,
trivy_grype_stream.sh): the same value written with its object keys in
another order, some keys repeated (jsonb keeps the last), other white space
and \\u escapes, so that a reader of the text can be compared with the
jsonb path on documents a scanner could have written.  Every choice is
drawn from the caller's random.Random, so a script's documents stay fixed.
"""
import json


class Pairs:
    """An object as a list of (key, value) pairs: keeps repeated keys."""
    def __init__(self, items):
        self.items = items


class Raw:
    """Text written as it is (for values json cannot write)."""
    def __init__(self, text):
        self.text = text


def dumps(v, rnd, ascii_=None, sep=None):
    """JSON text of v (dicts may be Pairs, to keep duplicates)."""
    if ascii_ is None:
        ascii_ = rnd.random() < 0.5
    ws = sep if sep is not None else rnd.choice(['', ' ', '\n  '])

    def enc(x):
        if isinstance(x, Pairs):
            return '{' + (',' + ws).join(enc(k) + ':' + ws + enc(w) for k, w in x.items) + '}'
        if isinstance(x, list):
            return '[' + (',' + ws).join(enc(e) for e in x) + ']'
        if isinstance(x, Raw):
            return x.text
        return json.dumps(x, ensure_ascii=ascii_)
    return enc(v)


def shuffled(v, rnd, dup=0.0, others=()):
    """v with every object's keys in random order; with probability dup an
    object gets one key twice, the other value drawn from a few odd values
    (plus the caller's others), placed before or after the real one."""
    if isinstance(v, dict):
        items = [(k, shuffled(w, rnd, dup, others)) for k, w in v.items()]
        rnd.shuffle(items)
        if items and rnd.random() < dup:
            k, w = rnd.choice(items)
            other = rnd.choice([None, 'x', 1, [], {}, 0.5, True, Pairs([('a', 'b')])] + list(others))
            # the earlier value is the one jsonb drops
            items.insert(0, (k, other)) if rnd.random() < 0.5 else items.append((k, other))
        return Pairs(items)
    if isinstance(v, list):
        return [shuffled(e, rnd, dup, others) for e in v]
    return v
