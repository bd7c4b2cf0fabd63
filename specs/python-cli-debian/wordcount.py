"""wordcount: count the words of standard input (or of files)."""

import argparse
import sys


def main() -> int:
    parser = argparse.ArgumentParser(prog="wordcount", description="Count words in files or standard input.")
    parser.add_argument("files", nargs="*", help="files to read (default: standard input)")
    args = parser.parse_args()
    streams = [open(f, encoding="utf-8") for f in args.files] or [sys.stdin]
    print(sum(len(s.read().split()) for s in streams))
    return 0


if __name__ == "__main__":
    sys.exit(main())
