"""The seed's first program: read an integer from standard input, retrying bad input.

The decorator is the seed's, unchanged; only the import differs from the backoff version.

    printf 'x\\ny\\n7\\n' | python3 examples/python/read_int.py    # prints 7
    printf 'x\\ny\\nz\\n' | python3 examples/python/read_int.py    # gives up: exit 1
"""

import logging
import sys

import persevere_retry.backoff as backoff


@backoff.on_exception(backoff.expo, ValueError, max_tries=3)
def read_int():
    """The next line of standard input as an integer (ValueError if it is not one)."""
    return int(sys.stdin.readline())


def main():
    # backoff's messages ("Backing off read_int(...) for 0.4s (ValueError: ...)") on stderr.
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(message)s")
    try:
        print(read_int())
    except ValueError as e:
        print(f"read_int: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
