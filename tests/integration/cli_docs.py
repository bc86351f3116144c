#!/usr/bin/env python3
"""What a user reads about the command line agrees with the program
(issue 14; docs/testing.md): the man page, the bash completion, README's
usage and the install all say what `borderflow --help` and
`borderflow CMD --help` say, so that none of them can drift.

    cli_docs.py --borderflow PROGRAM --source SRCDIR --work WORKDIR CHECK

Checks:
    help        `borderflow help CMD` prints exactly `borderflow CMD --help`
                for every command of the usage; `help` the usage; an unknown
                command exits 2 with a did-you-mean when one is close
    man         the man page (--man PAGE), read with `man -l`, has a
                subsection per command holding every option of its --help,
                the program's version, and UTF-8 text intact
    completion  scripts/completion/borderflow.bash in bash: commands,
                each command's options (equal to its --help's), option
                values, *.json files and folders for scenarios, folders for
                plot, *.csv for fit
    readme      README's "Using it" lists every option of every command
    install     `cmake --install` (--cmake CMAKE --build-dir DIR) into a
                fresh prefix: the program, the man page, the gnuplot
                templates, the schema, the completion; the installed program
                runs --version and validates the shipped scenarios

The options of a command are read from its --help: every --long name in
it and every -x of its option lines.

Python 3 standard library only. Exit status 0 when the check passes.
"""

import argparse
import glob
import os
import re
import shutil
import subprocess
import sys


class Failure(Exception):
    pass


def run(cmd, cwd=None, env=None, timeout=300):
    p = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=timeout)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def fresh(path):
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path


class Program:
    def __init__(self, path):
        self.path = path
        self._help = {}

    def help(self, cmd=None):
        """The --help of cmd (None: the usage), which must exit 0."""
        if cmd not in self._help:
            args = [self.path] + ([cmd] if cmd else []) + ["--help"]
            rc, so, se = run(args, env=dict(os.environ, LC_ALL="C"))
            if rc != 0 or se:
                raise Failure("%s: exit %d, stderr %r" % (" ".join(args), rc, se))
            self._help[cmd] = so
        return self._help[cmd]

    def commands(self):
        """The commands of the usage's "commands:" list."""
        usage = self.help()
        m = re.search(r"^commands:\n((?:  .*\n)+)", usage, re.M)
        if not m:
            raise Failure("no commands: list in the usage:\n" + usage)
        names = [line.split()[0] for line in m.group(1).splitlines()]
        if len(names) < 7 or "run" not in names or "help" not in names:
            raise Failure("the commands: list looks wrong: %s" % names)
        return names

    def options(self, cmd=None):
        """Every --long name of a command's --help, and every -x of its option
        lines ("  -o, --output DIR ..."). `help` has the usage's."""
        text = self.help(None if cmd == "help" else cmd)
        longs = set(re.findall(r"(?<![\w-])--[a-z][a-z0-9-]*[a-z0-9]", text))
        shorts = set(re.findall(r"^ {1,8}(-[A-Za-z]),", text, re.M))
        return longs | shorts

    def option_lines(self, cmd=None):
        """The options that have a line of their own in a command's --help
        ("  -o, --output DIR  ..."): short and long names."""
        text = self.help(None if cmd == "help" else cmd)
        found = set()
        for m in re.finditer(r"^ {1,8}(?:(-[A-Za-z]), )?(--[a-z][a-z0-9-]*[a-z0-9])", text, re.M):
            found |= {o for o in m.groups() if o}
        return found


def long_options(opts):
    return {o for o in opts if o.startswith("--")}


# ---- help ----


def check_help(ctx):
    bf = ctx.bf
    cmds = bf.commands()
    for cmd in cmds:
        if cmd == "help":
            continue
        rc, so, se = run([bf.path, "help", cmd], env=dict(os.environ, LC_ALL="C"))
        if rc != 0 or se or so != bf.help(cmd):
            raise Failure("borderflow help %s: exit %d, stderr %r, and stdout %s `%s --help`'s"
                          % (cmd, rc, se, "equal to" if so == bf.help(cmd) else "unlike", cmd))
        if not so.startswith("usage: borderflow %s" % cmd):
            raise Failure("borderflow %s --help does not start with its usage: %r" % (cmd, so[:80]))
    for args in (["help"], ["help", "help"], ["help", "--help"]):
        rc, so, se = run([bf.path] + args)
        if rc != 0 or se or so != bf.help():
            raise Failure("borderflow %s: exit %d, stderr %r, not the usage" % (" ".join(args), rc, se))
    for args, suggestion in ((["help", "valdate"], "validate"), (["help", "rn"], "run"),
                             (["calbirate"], "calibrate"), (["help", "xyzzy"], None),
                             (["zz"], None)):
        rc, so, se = run([bf.path] + args)
        what = "borderflow " + " ".join(args)
        name = args[-1]
        if rc != 2 or so or ("unknown command '%s'" % name) not in se:
            raise Failure("%s: exit %d (expected 2), stdout %r, stderr %r" % (what, rc, so, se))
        if suggestion and ("did you mean '%s'?" % suggestion) not in se:
            raise Failure("%s: no did-you-mean '%s': %r" % (what, suggestion, se))
        if not suggestion and "did you mean" in se:
            raise Failure("%s: a did-you-mean for a name close to none: %r" % (what, se))
    rc, so, se = run([bf.path, "help", "run", "extra"])
    if rc != 2 or so or not se:
        raise Failure("borderflow help run extra: exit %d, expected 2 with a message" % rc)
    print("help: `help CMD` = `CMD --help` for %d commands; unknown ones refused with a "
          "did-you-mean" % (len(cmds) - 1))


# ---- the man page ----


def render_man(page):
    if not shutil.which("man"):
        raise Failure("man not found (man-db: scripts/deps test)")
    env = dict(os.environ, LC_ALL="C.UTF-8", MANWIDTH="120", MAN_KEEP_FORMATTING="")
    env.pop("MANPAGER", None)
    env.pop("PAGER", None)
    # --nh: no hyphenation, which would break a name with U+2010
    rc, so, se = run(["man", "--nh", "-l", page], env=env)
    if rc != 0 or not so.strip():
        raise Failure("man -l %s: exit %d, %r" % (page, rc, se))
    # a line may still end at a hyphen of a word ("byte-" "order")
    return re.sub(r"(?<=\w-)\n +(?=\w)", "", so)


def man_sections(text):
    """Subsection title -> its text ("   borderflow run" lines)."""
    parts = re.split(r"^   (borderflow \S+)(?: \[COMMAND\])?\n", text, flags=re.M)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts) - 1, 2)}


def check_man(ctx, page):
    bf = ctx.bf
    if not os.path.isfile(page):
        raise Failure("no man page %s (the build makes it: target man)" % page)
    text = render_man(page)
    subs = man_sections(text)
    missing = []
    n = 0
    for cmd in bf.commands():
        title = "borderflow " + cmd
        if title not in subs:
            raise Failure("the man page has no subsection %r; it has %s" % (title, sorted(subs)))
        body = subs[title]
        for opt in sorted(bf.options(cmd) if cmd != "help" else []):
            n += 1
            if not re.search(r"(?<![\w-])%s(?![\w-])" % re.escape(opt), body):
                missing.append("%s %s" % (cmd, opt))
        # an option with a line of its own in --help has an entry of its own
        # here: a line that starts with it (help2man's .TP tags)
        for opt in sorted(bf.option_lines(cmd) if cmd != "help" else []):
            if not re.search(r"^ {7}(?:-\w, )?%s(?![\w-])" % re.escape(opt), body, re.M):
                missing.append("%s %s (no entry of its own)" % (cmd, opt))
        # the first line of its --help, as help2man set it
        first = bf.help(cmd).splitlines()[0] if cmd != "help" else "borderflow help CMD"
        if " ".join(first.split()) not in " ".join(body.split()):
            missing.append("%s: %r" % (cmd, first))
    head = text.split("\nCOMMANDS\n")[0]
    for opt in sorted(bf.options()):
        n += 1
        if opt not in head:
            missing.append("borderflow %s (before COMMANDS)" % opt)
    if missing:
        raise Failure("the man page lacks %d of the --help's options or lines:\n  %s"
                      % (len(missing), "\n  ".join(missing)))
    rc, version, _ = run([bf.path, "--version"])
    if version.strip() not in text:
        raise Failure("the man page does not name %r" % version.strip())
    if "±" not in text or "??" in text:
        raise Failure("the man page lost its UTF-8 (calibrate's ± sign)")
    for section in ("NAME", "SYNOPSIS", "DESCRIPTION", "COMMANDS", "FILES", "EXAMPLES"):
        if not re.search(r"^%s$" % section, text, re.M):
            raise Failure("the man page has no %s section" % section)
    print("man: %d commands, %d options, each in its subsection" % (len(bf.commands()), n))


# ---- bash completion ----


COMPLETE = r'''
source "$1"
shift
cd "$1"
shift
COMP_WORDS=("$@")
COMP_CWORD=$(( $# - 1 ))
_borderflow
printf '%s\n' "${COMPREPLY[@]}"
complete -p borderflow >&2
'''


def complete(ctx, words, cwd, script=None, program=None):
    """What the completion offers for words (the last one being completed),
    with the program as COMP_WORDS[0] (by default its full path)."""
    script = script or os.path.join(ctx.src, "scripts", "completion", "borderflow.bash")
    env = dict(os.environ, LC_ALL="C")
    env["PATH"] = os.path.dirname(ctx.bf.path) + os.pathsep + env.get("PATH", "")
    rc, so, se = run(["bash", "--norc", "--noprofile", "-c", COMPLETE, "bash", script, cwd,
                      program or ctx.bf.path] + words, env=env)
    if rc != 0 or "complete -F _borderflow borderflow" not in se:
        raise Failure("completing %r: exit %d, %r" % (words, rc, se))
    return [w for w in so.split("\n") if w]


def expect_offer(got, want, what):
    if sorted(got) != sorted(want):
        raise Failure("borderflow %s<TAB>: offered %s, expected %s" % (what, sorted(got), sorted(want)))


def check_completion(ctx, script=None):
    bf = ctx.bf
    d = fresh(os.path.join(ctx.work, "files"))
    for f in ("study.json", "notes.txt", "hours.csv"):
        open(os.path.join(d, f), "w").close()
    os.makedirs(os.path.join(d, "scenarios"))
    os.makedirs(os.path.join(d, "out"))

    def offer(words, want, program=None):
        expect_offer(complete(ctx, words, d, script, program), want, " ".join(words))

    cmds = bf.commands()
    offer(["r"], ["run"])
    offer(["r"], ["run"], program="borderflow")  # found on PATH
    offer(["v"], ["validate"])
    offer([""], cmds)
    offer(["-"], ["-h", "--help", "-V", "--version"])
    offer(["help", "ca"], ["calibrate"])
    offer(["run", "--no-"], ["--no-plots", "--no-sweeps"])
    offer(["run", "--fo"], ["--force"])
    # every command's options are its --help's (long forms for "--")
    for cmd in cmds:
        if cmd == "help":
            continue
        offer([cmd, "--"], long_options(bf.option_lines(cmd)))
    # values: words, folders; numbers have nothing to offer
    offer(["run", "--lang", ""], ["en", "zh"])
    offer(["run", "--lang", "=", "z"], ["zh"])
    offer(["fit", "--unit", ""], ["h", "d"])
    offer(["run", "-o", ""], ["out", "scenarios"])
    offer(["run", "-j", ""], [])
    # arguments: scenarios are *.json and folders, plot takes folders, fit a CSV
    offer(["run", ""], ["study.json", "scenarios", "out"])
    offer(["run", "-o", "out", "s"], ["study.json", "scenarios"])
    offer(["validate", "st"], ["study.json"])
    offer(["calibrate", ""], ["study.json", "scenarios", "out"])
    offer(["plot", ""], ["scenarios", "out"])
    offer(["fit", ""], ["hours.csv", "scenarios", "out"])
    offer(["schema", ""], [])
    offer(["bogus", ""], [])
    print("completion: commands, the options of %d commands as their --help has them, values, "
          "scenario files and folders" % (len(cmds) - 1))


# ---- README ----


def readme_usage(src):
    with open(os.path.join(src, "README.md"), encoding="utf-8") as f:
        text = f.read()
    m = re.search(r"^## Using it\n(.*?)(?=^## )", text, re.M | re.S)
    if not m:
        raise Failure("README.md has no '## Using it' section")
    return m.group(1)


def check_readme(ctx):
    bf = ctx.bf
    usage = readme_usage(ctx.src)
    lines = usage.splitlines()
    missing = []
    n = 0
    for cmd in bf.commands():
        if cmd == "help":
            continue
        # the command's synopsis: its line of the usage block and the lines
        # indented under it
        block = []
        for i, line in enumerate(lines):
            if re.match(r"^    borderflow %s\b" % cmd, line):
                block.append(line)
                for more in lines[i + 1:]:
                    if not re.match(r"^     +(?!borderflow|mpirun)\S", more):
                        break
                    block.append(more)
                break
        if not block:
            missing.append("%s: no synopsis line `    borderflow %s ...`" % (cmd, cmd))
            continue
        text = "\n".join(block)
        for opt in sorted(bf.options(cmd) - {"-h", "--help"}):
            n += 1
            if not re.search(r"(?<![\w-])%s(?![\w-])" % re.escape(opt), text):
                missing.append("%s %s" % (cmd, opt))
    for opt in sorted(bf.options()):  # the program's own, and every command's -h/--help
        n += 1
        if not re.search(r"(?<![\w-])%s(?![\w-])" % re.escape(opt), usage):
            missing.append("borderflow %s" % opt)
    if missing:
        raise Failure("README's 'Using it' lacks %d options of the --help texts:\n  %s"
                      % (len(missing), "\n  ".join(missing)))
    print("readme: %d options of %d commands in their synopsis" % (n, len(bf.commands())))


# ---- install ----


def check_install(ctx, cmake, build_dir):
    prefix = fresh(os.path.join(ctx.work, "prefix"))
    rc, so, se = run([cmake, "--install", build_dir, "--prefix", prefix])
    if rc != 0:
        raise Failure("cmake --install: exit %d\n%s%s" % (rc, so, se))
    share = os.path.join(prefix, "share")
    want = {
        os.path.join("bin", "borderflow"): None,
        os.path.join("share", "man", "man1", "borderflow.1"): None,
        os.path.join("share", "borderflow", "scenario.schema.json"):
            os.path.join(ctx.src, "docs", "scenario.schema.json"),
        os.path.join("share", "bash-completion", "completions", "borderflow"):
            os.path.join(ctx.src, "scripts", "completion", "borderflow.bash"),
    }
    templates = sorted(glob.glob(os.path.join(ctx.src, "plots", "*.gp")))
    if len(templates) < 10:
        raise Failure("only %d gnuplot templates in plots/" % len(templates))
    for t in templates:
        want[os.path.join("share", "borderflow", "plots", os.path.basename(t))] = t
    for rel, source in sorted(want.items()):
        path = os.path.join(prefix, rel)
        if not os.path.isfile(path):
            raise Failure("cmake --install did not install %s" % rel)
        if source:
            with open(path, "rb") as a, open(source, "rb") as b:
                if a.read() != b.read():
                    raise Failure("the installed %s differs from %s" % (rel, source))
    installed = os.path.join(prefix, "bin", "borderflow")
    if not os.access(installed, os.X_OK):
        raise Failure("the installed program is not executable")
    plots = os.listdir(os.path.join(share, "borderflow", "plots"))
    if len(plots) != len(templates):
        raise Failure("share/borderflow/plots holds %s, plots/ %d templates" % (plots, len(templates)))
    # the installed program runs from elsewhere, on the shipped scenarios
    rc, so, se = run([installed, "--version"], cwd=prefix)
    rc0, want_v, _ = run([ctx.bf.path, "--version"])
    if rc != 0 or so != want_v or not so.startswith("borderflow "):
        raise Failure("the installed borderflow --version: exit %d, %r (expected %r)" % (rc, so, want_v))
    shipped = [os.path.join(ctx.src, "scenarios", "default.json")] + sorted(
        glob.glob(os.path.join(ctx.src, "scenarios", "examples", "*.json")))
    rc, so, se = run([installed, "validate", "-q"] + shipped, cwd=prefix)
    if rc != 0 or se:
        raise Failure("the installed borderflow validate on the shipped scenarios: exit %d\n%s" % (rc, se))
    # man finds the installed page by name under the prefix
    if shutil.which("man"):
        rc, so, se = run(["man", "-M", os.path.join(share, "man"), "-w", "borderflow"])
        if rc != 0 or os.path.realpath(so.strip()) != os.path.realpath(
                os.path.join(share, "man", "man1", "borderflow.1")):
            raise Failure("man -M PREFIX/share/man -w borderflow: %d %r %r" % (rc, so, se))
    # the installed completion works for the installed program
    got = complete(ctx, ["run", "--no-"], prefix,
                   script=os.path.join(share, "bash-completion", "completions", "borderflow"),
                   program=installed)
    expect_offer(got, ["--no-plots", "--no-sweeps"], "run --no- (installed)")
    print("install: %d files under the prefix; the installed program validates %d shipped "
          "scenarios" % (len(want), len(shipped)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--borderflow", required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--man", help="the man page the build made")
    ap.add_argument("--cmake", help="the cmake program (install)")
    ap.add_argument("--build-dir", help="the build folder to install from (install)")
    ap.add_argument("check")
    args = ap.parse_args()

    class Ctx:
        pass

    ctx = Ctx()
    ctx.bf = Program(os.path.abspath(args.borderflow))
    ctx.src = os.path.abspath(args.source)
    ctx.work = os.path.abspath(args.work)
    fresh(ctx.work)
    checks = {
        "help": lambda: check_help(ctx),
        "man": lambda: check_man(ctx, args.man),
        "completion": lambda: check_completion(ctx),
        "readme": lambda: check_readme(ctx),
        "install": lambda: check_install(ctx, args.cmake, args.build_dir),
    }
    if args.check not in checks:
        ap.error("unknown check %r" % args.check)
    if args.check == "man" and not args.man:
        ap.error("man needs --man PAGE")
    if args.check == "install" and not (args.cmake and args.build_dir):
        ap.error("install needs --cmake and --build-dir")
    try:
        checks[args.check]()
    except Failure as exc:
        print("FAIL: %s" % exc)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
