# bash completion for borderflow (issue 14); installed by `cmake --install`
# as share/bash-completion/completions/borderflow, or load it by hand:
#     source scripts/completion/borderflow.bash
#
# Nothing here lists a command or an option: both are read from the
# program's own help when a completion is asked for -- the commands from
# `borderflow --help` (its "commands:" list), the options of a command from
# `borderflow CMD --help` (its lines starting with a dash) -- so that the
# completion says what the program it completes for accepts, a build from
# the source tree (./build/dev/borderflow) as well as an installed one.
# What the arguments are is read from the same text:
#   - a command's usage line naming SCENARIO: *.json files and folders;
#     FILE.csv: *.csv files and folders; DIR or FOLDER: folders;
#   - an option's placeholder: DIR or FOLDER a folder, FILE a file, a|b
#     one of the words; anything else (N, SIZE, ...) nothing to offer.
# The help texts are read once per shell and program.
#
# Written by hand: bash-completion's helpers (_init_completion, _filedir)
# would do part of it, but need that package loaded first; this file runs
# in a plain bash (as the test, tests/integration/cli_docs.py, loads it).

declare -gA _borderflow_cache 2>/dev/null || true

# The help of the program $1 (for command $2, or the usage without), cached.
_borderflow_help()
{
    local key="$1|$2" text
    if [[ -z ${_borderflow_cache[$key]+set} ]]; then
        if [[ -n $2 ]]; then
            text=$("$1" "$2" --help 2>/dev/null) || text=""
        else
            text=$("$1" --help 2>/dev/null) || text=""
        fi
        _borderflow_cache[$key]=$text
    fi
    printf '%s\n' "${_borderflow_cache[$key]}"
}

# The commands of the usage's "commands:" list.
_borderflow_commands()
{
    _borderflow_help "$1" "" | sed -n '/^commands:$/,/^$/s/^  \([a-z][a-z0-9-]*\)  .*/\1/p'
}

# "OPTION PLACEHOLDER" per option of command $2 (PLACEHOLDER "-" when it
# takes no value): from the lines of its help that start with a dash, the
# part before the first two spaces, as "  -o, --output DIR   results ...".
_borderflow_options()
{
    _borderflow_help "$1" "$2" | sed -n 's/^ \{1,8\}\(-[^ ].*\)$/\1/p' | sed 's/  .*//' |
        while read -r a b c; do
            # "-o, --output DIR": a short name, a long name, a placeholder
            if [[ $a == -?, ]]; then
                printf '%s %s\n' "${a%,}" "${c:--}"
                a=$b b=$c
            fi
            printf '%s %s\n' "$a" "${b:--}"
        done
}

# Adds to COMPREPLY the files matching the glob $2 (every file when empty)
# and the folders, for the word $1 (mapfile: a name is never globbed or
# split again).
_borderflow_files()
{
    local -a found
    compopt -o filenames 2>/dev/null
    if [[ -n $2 ]]; then
        mapfile -t found < <(compgen -f -X "!$2" -- "$1"; compgen -d -- "$1")
    else
        mapfile -t found < <(compgen -f -- "$1")
    fi
    # a folder matching the glob is found twice
    mapfile -t found < <(printf '%s\n' "${found[@]}" | sort -u | sed '/^$/d')
    COMPREPLY+=("${found[@]}")
}

_borderflow_dirs()
{
    local -a found
    compopt -o filenames 2>/dev/null
    mapfile -t found < <(compgen -d -- "$1")
    COMPREPLY+=("${found[@]}")
}

# COMPREPLY: the words of $1 that start with $2.
_borderflow_words()
{
    mapfile -t COMPREPLY < <(compgen -W "$1" -- "$2")
}

# Completes for the placeholder $1 (of an option or an argument) the word $2.
_borderflow_value()
{
    case $1 in
    *SCENARIO*) _borderflow_files "$2" '*.json' ;;
    *.csv*) _borderflow_files "$2" '*.csv' ;;
    *DIR* | *FOLDER*) _borderflow_dirs "$2" ;;
    *FILE*) _borderflow_files "$2" '' ;;
    *'|'*) _borderflow_words "${1//|/ }" "$2" ;;
    esac
}

_borderflow()
{
    COMPREPLY=()
    local bf=${COMP_WORDS[0]} cur=${COMP_WORDS[COMP_CWORD]} prev=""
    ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
    bf=${bf/#\~/$HOME}
    [[ $bf == */* ]] || bf=$(type -P "$bf") || return 0
    [[ -x $bf ]] || return 0
    # "--lang=z": bash splits at '=' (COMP_WORDBREAKS): the option is before it
    if [[ $cur == = ]]; then
        cur=""
    elif [[ $prev == = ]] && ((COMP_CWORD > 1)); then
        prev=${COMP_WORDS[COMP_CWORD - 2]}
    fi

    if ((COMP_CWORD == 1)); then
        if [[ $cur == -* ]]; then
            _borderflow_words "$(_borderflow_options "$bf" "" | cut -d' ' -f1)" "$cur"
        else
            _borderflow_words "$(_borderflow_commands "$bf")" "$cur"
        fi
        return 0
    fi
    local cmd=${COMP_WORDS[1]}
    if [[ $cmd == help ]]; then
        ((COMP_CWORD == 2)) && _borderflow_words "$(_borderflow_commands "$bf")" "$cur"
        return 0
    fi
    _borderflow_commands "$bf" | grep -qxF -- "$cmd" || return 0

    local opts opt arg
    opts=$(_borderflow_options "$bf" "$cmd")
    # the value of an option that takes one
    if [[ $prev == -* ]]; then
        while read -r opt arg; do
            if [[ $opt == "$prev" && $arg != - ]]; then
                _borderflow_value "$arg" "$cur"
                return 0
            fi
        done <<<"$opts"
    fi
    if [[ $cur == -* ]]; then
        _borderflow_words "$(cut -d' ' -f1 <<<"$opts")" "$cur"
        return 0
    fi
    # an argument: what the usage line names
    _borderflow_value "$(_borderflow_help "$bf" "$cmd" | sed -n '1s/^usage: borderflow [^ ]* *//p')" "$cur"
    return 0
}

complete -F _borderflow borderflow
