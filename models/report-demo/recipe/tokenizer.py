"""Step 2 of the demo language model's recipe: a byte-level BPE tokenizer trained on the corpus, written
in the Hugging Face `tokenizers` JSON format that transformers.js loads (tokenizer.json,
tokenizer_config.json with the chat template).

Digits are always single tokens (a `Digits` pre-tokenizer runs before the byte-level split), so every
number is written digit by digit: the constrained decoder and the model's copying both work per digit.

Usage: /usr/bin/python3 tokenizer.py WORK_DIR OUT_DIR [VOCAB_SIZE]
"""
import collections
import json
import re
import sys
from pathlib import Path

SPECIAL = ["<pad>", "<s>", "</s>"]
# GPT-2's split (the one tokenizers' ByteLevel pre-tokenizer uses), in Python's re: letters, digits,
# other symbols, spaces. Only the statistics come from here; the ids used for training come from the
# JavaScript tokenizer itself (encode.mjs), so a small difference in splitting costs nothing but a merge.
SPLIT = re.compile(r"""'s|'t|'re|'ve|'m|'ll|'d| ?[^\W\d_]+| ?\d| ?[^\s\w]+|\s+(?!\S)|\s+""")
GENERATION_PROMPT = "\n###\n"
CHAT_TEMPLATE = (
    "{{ bos_token }}{% for m in messages %}{% if m['role'] == 'user' %}{{ m['content'] }}{% endif %}"
    "{% endfor %}{% if add_generation_prompt %}" + GENERATION_PROMPT.replace("\n", "\\n") + "{% endif %}"
)


def bytes_to_unicode():
    """GPT-2's reversible map from bytes to printable characters."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


def words(text, byte_map):
    for piece in SPLIT.findall(text):
        yield "".join(byte_map[b] for b in piece.encode("utf-8"))


# Chinese characters that name a side or a zone stay tokens of their own (never merged with a neighbour),
# so that "左" or "上野" can be allowed or refused without refusing the words around them.
KEEP_APART = set("左右上中下野")


def char_prefix(data):
    """Whether the bytes are the start of one UTF-8 character (its lead byte and some continuation bytes)."""
    if not data or data[0] < 0xC0:
        return False
    need = 2 if data[0] < 0xE0 else 3 if data[0] < 0xF0 else 4
    return len(data) < need and all(0x80 <= b < 0xC0 for b in data[1:])


def mergeable(a, b, unicode_map):
    """Whether two pieces may merge: never across a digit; a character is built from its bytes before it
    merges with anything; a side or zone character never merges with another character."""
    if a[-1].isdigit() or b[0].isdigit():
        return False
    data = bytes(unicode_map[c] for c in a + b)
    try:
        merged = data.decode("utf-8")
    except UnicodeDecodeError:
        return char_prefix(data)
    return len(merged) == 1 or not (set(merged) & KEEP_APART)


def train_bpe(counts, vocab_size, alphabet, unicode_map):
    vocab = {t: i for i, t in enumerate(SPECIAL)}
    for ch in alphabet:
        vocab[ch] = len(vocab)
    seqs = {w: list(w) for w in counts}
    merges = []
    allowed = {}
    while len(vocab) < vocab_size:
        pairs = collections.Counter()
        for w, c in counts.items():
            s = seqs[w]
            for a, b in zip(s, s[1:]):
                if (a, b) not in allowed:
                    allowed[(a, b)] = mergeable(a, b, unicode_map)
                if allowed[(a, b)]:
                    pairs[(a, b)] += c
        if not pairs:
            break
        (a, b), _ = max(pairs.items(), key=lambda kv: (kv[1], kv[0]))
        merges.append(f"{a} {b}")
        vocab[a + b] = len(vocab)
        for w in counts:
            s = seqs[w]
            i = 0
            out = []
            while i < len(s):
                if i + 1 < len(s) and s[i] == a and s[i + 1] == b:
                    out.append(a + b)
                    i += 2
                else:
                    out.append(s[i])
                    i += 1
            seqs[w] = out
    return vocab, merges


def main():
    work, out = Path(sys.argv[1]), Path(sys.argv[2])
    vocab_size = int(sys.argv[3]) if len(sys.argv) > 3 else 1024
    out.mkdir(parents=True, exist_ok=True)
    byte_map = bytes_to_unicode()
    counts = collections.Counter()
    for line in (work / "corpus.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["split"] != "train":
            continue
        for part in (row["prompt"], GENERATION_PROMPT, row["target"]):
            counts.update(words(part, byte_map))
    alphabet = [byte_map[b] for b in range(256)]
    unicode_map = {c: b for b, c in byte_map.items()}
    vocab, merges = train_bpe(counts, vocab_size, alphabet, unicode_map)
    special = [
        {"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False, "normalized": False, "special": True}
        for i, t in enumerate(SPECIAL)
    ]
    tokenizer = {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": special,
        "normalizer": None,
        "pre_tokenizer": {
            "type": "Sequence",
            "pretokenizers": [
                {"type": "Digits", "individual_digits": True},
                {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
            ],
        },
        "post_processor": None,
        "decoder": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
        "model": {
            "type": "BPE",
            "dropout": None,
            "unk_token": None,
            "continuing_subword_prefix": None,
            "end_of_word_suffix": None,
            "fuse_unk": False,
            "byte_fallback": False,
            "ignore_merges": False,
            "vocab": vocab,
            "merges": merges,
        },
    }
    config = {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "bos_token": "<s>",
        "eos_token": "</s>",
        "pad_token": "<pad>",
        "model_max_length": 1024,
        "clean_up_tokenization_spaces": False,
        "chat_template": CHAT_TEMPLATE,
    }
    (out / "tokenizer.json").write_text(json.dumps(tokenizer, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    (out / "tokenizer_config.json").write_text(json.dumps(config, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"tokenizer: {len(vocab)} tokens ({len(merges)} merges) from {sum(counts.values())} words")


if __name__ == "__main__":
    main()
